"""score_spans on strictly decoded IOB2 equals seqeval's strict IOB2 mode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

seqeval_metrics = pytest.importorskip("seqeval.metrics")
from seqeval.scheme import IOB2  # noqa: E402

from mosaicner.evaluation import iob2_spans, score_spans  # noqa: E402

TAGS = ["O", "B-A", "I-A", "B-B", "I-B", "B-Gene_or_gene_product", "I-Gene_or_gene_product"]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(1, 12), min_size=1, max_size=6))
    gold = [draw(st.lists(st.sampled_from(TAGS), min_size=n, max_size=n)) for n in lengths]
    pred = [draw(st.lists(st.sampled_from(TAGS), min_size=n, max_size=n)) for n in lengths]
    return gold, pred


def test_strict_decoding_examples() -> None:
    assert iob2_spans(["I-A", "I-A", "O"]) == []
    assert iob2_spans(["B-A", "I-A", "I-B", "B-B"]) == [(0, 2, "A"), (3, 4, "B")]
    assert iob2_spans(["B-A", "B-A", "I-A"]) == [(0, 1, "A"), (1, 3, "A")]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=200, deadline=None)
@given(pairs())
def test_parity_with_seqeval_strict(data: tuple[list[list[str]], list[list[str]]]) -> None:
    gold_tags, pred_tags = data
    gold = [iob2_spans(t) for t in gold_tags]
    pred = [iob2_spans(t) for t in pred_tags]
    ours = score_spans(gold, pred)
    kw = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    assert ours.micro.precision == pytest.approx(
        seqeval_metrics.precision_score(gold_tags, pred_tags, **kw), abs=1e-12
    )
    assert ours.micro.recall == pytest.approx(
        seqeval_metrics.recall_score(gold_tags, pred_tags, **kw), abs=1e-12
    )
    assert ours.micro.f1 == pytest.approx(
        seqeval_metrics.f1_score(gold_tags, pred_tags, **kw), abs=1e-12
    )
    report = seqeval_metrics.classification_report(gold_tags, pred_tags, output_dict=True, **kw)
    for label, prf in ours.per_type.items():
        row = report[label]
        assert prf.precision == pytest.approx(row["precision"], abs=1e-12)
        assert prf.recall == pytest.approx(row["recall"], abs=1e-12)
        assert prf.f1 == pytest.approx(row["f1-score"], abs=1e-12)
        assert prf.tp + prf.fn == row["support"]
