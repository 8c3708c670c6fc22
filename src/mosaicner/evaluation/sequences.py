"""Tag sequences to spans for scoring (torch-free).

:func:`iob2_spans` follows seqeval's *strict* IOB2 reading (``mode="strict", scheme=IOB2``): a
span starts at ``B-X`` and continues over the following ``I-X`` of the same type; an ``I-X``
that does not continue a span of type ``X`` starts nothing and is ignored.  This is the reading
used when scoring decoded tag sequences, so that ill-formed predictions are never rewarded.
For lenient, repairing decoding of *input files* use :mod:`mosaicner.io.tags`.
"""

from __future__ import annotations

from collections.abc import Sequence

from mosaicner.evaluation.metrics import SpanTriple


def iob2_spans(tags: Sequence[str]) -> list[SpanTriple]:
    """Spans ``(token_start, token_end, type)`` of one IOB2 sequence, read strictly."""
    spans: list[SpanTriple] = []
    start = -1
    label = ""
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and start >= 0 and tag[2:] == label:
            continue
        if start >= 0:
            spans.append((start, i, label))
            start = -1
        if tag.startswith("B-"):
            start, label = i, tag[2:]
    if start >= 0:
        spans.append((start, len(tags), label))
    return spans


__all__ = ["iob2_spans"]
