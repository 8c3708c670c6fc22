"""Torch-free evaluation: strict span P/R/F1, per type, per corpus, macro over corpora."""

from mosaicner.evaluation.metrics import PRF, SpanScores, SpanTriple, macro_average, score_spans

__all__ = ["PRF", "SpanScores", "SpanTriple", "macro_average", "score_spans"]
