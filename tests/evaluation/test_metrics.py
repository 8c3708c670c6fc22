from __future__ import annotations

import pytest

from mosaicner.evaluation import macro_average, score_spans


def test_nested_gold_and_pred_are_scored_exactly() -> None:
    # GENIA-like nesting: "IL-2 receptor alpha gene" (DNA) contains "IL-2 receptor alpha" (protein)
    # which contains "IL-2" (protein).
    gold = [[(0, 4, "DNA"), (0, 3, "protein"), (0, 1, "protein")], [(2, 5, "cell_type")]]
    pred = [[(0, 4, "DNA"), (0, 1, "protein"), (0, 2, "protein")], [(2, 5, "cell_type")]]
    s = score_spans(gold, pred)
    assert (s.micro.tp, s.micro.fp, s.micro.fn) == (3, 1, 1)
    assert s.per_type["protein"].tp == 1
    assert s.per_type["protein"].fp == 1
    assert s.per_type["protein"].fn == 1
    assert s.per_type["DNA"].f1 == 1.0
    assert s.micro.precision == pytest.approx(0.75)
    assert s.micro.recall == pytest.approx(0.75)


def test_same_span_two_labels_counts_twice() -> None:
    gold = [[(0, 2, "DNA"), (0, 2, "protein")]]
    pred = [[(0, 2, "DNA")]]
    s = score_spans(gold, pred)
    assert (s.micro.tp, s.micro.fp, s.micro.fn) == (1, 0, 1)


def test_types_restrict_and_ignored_predictions_are_counted() -> None:
    gold = [[(0, 1, "Disease"), (3, 4, "Species")]]
    pred = [[(0, 1, "Disease"), (5, 6, "Chemical"), (3, 4, "Species")]]
    s = score_spans(gold, pred, types={"Disease"})
    assert (s.micro.tp, s.micro.fp, s.micro.fn) == (1, 0, 0)
    assert s.ignored == {"Chemical": 1, "Species": 1}
    assert set(s.per_type) == {"Disease"}


def test_unpredicted_type_present_with_zero_scores() -> None:
    s = score_spans([[]], [[]], types={"Gene"})
    assert s.per_type["Gene"].f1 == 0.0
    assert s.micro.f1 == 0.0


def test_length_mismatch_raises() -> None:
    with pytest.raises(ValueError):
        score_spans([[]], [])


def test_macro_average_is_unweighted_over_corpora() -> None:
    a = score_spans([[(0, 1, "X")] * 1], [[(0, 1, "X")]])  # F1 1.0
    b = score_spans([[(0, 1, "Y"), (2, 3, "Y"), (4, 5, "Y")]], [[]])  # F1 0.0
    m = macro_average({"a": a, "b": b})
    assert m["f1"] == pytest.approx(0.5)
