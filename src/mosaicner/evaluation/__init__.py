"""Torch-free evaluation: strict span P/R/F1 (per type, per corpus, macro over corpora),
bootstrap confidence intervals, partial-overlap scores, strict IOB2 decoding and reports."""

from mosaicner.evaluation.bootstrap import Interval, bootstrap_ci, item_counts
from mosaicner.evaluation.metrics import PRF, SpanScores, SpanTriple, macro_average, score_spans
from mosaicner.evaluation.overlap import OverlapPRF, OverlapScores, score_overlap
from mosaicner.evaluation.report import evaluation_report, macro_report, render_table
from mosaicner.evaluation.sequences import iob2_spans

__all__ = [
    "PRF",
    "Interval",
    "OverlapPRF",
    "OverlapScores",
    "SpanScores",
    "SpanTriple",
    "bootstrap_ci",
    "evaluation_report",
    "iob2_spans",
    "item_counts",
    "macro_average",
    "macro_report",
    "render_table",
    "score_overlap",
    "score_spans",
]
