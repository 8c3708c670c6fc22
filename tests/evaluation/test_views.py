from __future__ import annotations

from mosaicner.evaluation.views import (
    joined_view,
    macro_views,
    map_types,
    score_cross_corpus,
    score_views,
    separate_view,
    split_label,
)


def test_views() -> None:
    pred = [(0, 1, "BC5CDR$Disease", 0.9), (0, 1, "NCBI$Disease", 0.8), (2, 3, "LIN$Species", 0.7)]
    assert split_label("A$B$C") == ("A", "B$C")
    assert joined_view(pred) == [(0, 1, "Disease"), (2, 3, "Species")]
    assert separate_view(pred, "NCBI") == [
        (0, 1, "BC5CDR$Disease"),
        (0, 1, "Disease"),
        (2, 3, "LIN$Species"),
    ]


def test_score_views_counts_global_predictions() -> None:
    gold = [[(0, 1, "Disease"), (4, 5, "Disease")]]
    pred = [[(0, 1, "BC5CDR$Disease"), (2, 3, "LIN$Species"), (4, 5, "NCBI$Disease")]]
    v = score_views(gold, pred, "NCBI", ["Disease"])
    assert (v.separate.micro.tp, v.separate.micro.fn, v.separate.micro.fp) == (1, 1, 0)
    assert (v.joined.micro.tp, v.joined.micro.fn, v.joined.micro.fp) == (2, 0, 0)
    assert v.global_predictions == {"LIN$Species": 1}
    assert v.cross_corpus_predictions == {"BC5CDR$Disease": 1}
    d = v.to_dict()
    assert d["global_predictions_total"] == 1
    m = macro_views({"NCBI": v})
    assert m["joined"]["f1"] == 1.0 and m["separate"]["f1"] < 1.0


def test_cross_corpus_type_map() -> None:
    gold = [[(0, 2, "Gene")]]
    pred = [[(0, 2, "BC2GM$GENE", 0.9), (3, 4, "BC5CDR$Chemical", 0.5), (5, 6, "X$Drop", 0.5)]]
    tm = {"GENE": "Gene", "Drop": None}
    assert map_types(pred[0], tm) == [(0, 2, "Gene"), (3, 4, "Chemical")]
    s = score_cross_corpus(gold, pred, ["Gene"], tm)
    assert s.micro.f1 == 1.0 and s.ignored == {"Chemical": 1}
