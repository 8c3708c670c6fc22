"""Strict span precision/recall/F1 (torch-free).

Spans are ``(start, end, label)`` triples, half-open, in any unit (token or character) as long as
gold and predictions use the same one.  Matching is set-based per item (sentence or document), so
nested and overlapping spans are scored exactly: a prediction is a true positive iff the same
``(start, end, label)`` is in the gold set.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SpanTriple = tuple[int, int, str]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class SpanScores:
    """Scores of one corpus: micro over its types, and per type.

    ``ignored`` counts predictions of types outside the scored type set ("global predictions").
    """

    micro: PRF = field(default_factory=PRF)
    per_type: dict[str, PRF] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "micro": self.micro.to_dict(),
            "per_type": {k: v.to_dict() for k, v in sorted(self.per_type.items())},
            "ignored_predictions": dict(sorted(self.ignored.items())),
        }


def score_spans(
    gold: Sequence[Iterable[SpanTriple]],
    pred: Sequence[Iterable[SpanTriple]],
    types: Collection[str] | None = None,
) -> SpanScores:
    """Strict span scores over aligned items (``gold[i]`` and ``pred[i]`` describe one item).

    If ``types`` is given, only those types are scored: gold and predicted spans of other types
    are left out (predictions of other types are counted in ``ignored``).
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}")
    scores = SpanScores()
    keep = set(types) if types is not None else None
    for g_items, p_items in zip(gold, pred, strict=True):
        g = set(g_items)
        p = set(p_items)
        if keep is not None:
            for s in p:
                if s[2] not in keep:
                    scores.ignored[s[2]] = scores.ignored.get(s[2], 0) + 1
            g = {s for s in g if s[2] in keep}
            p = {s for s in p if s[2] in keep}
        for s in g | p:
            prf = scores.per_type.setdefault(s[2], PRF())
            if s in g and s in p:
                prf.tp += 1
            elif s in g:
                prf.fn += 1
            else:
                prf.fp += 1
    if keep is not None:
        for t in keep:
            scores.per_type.setdefault(t, PRF())
    for prf in scores.per_type.values():
        scores.micro.add(prf)
    return scores


def macro_average(scores: Mapping[str, SpanScores]) -> dict[str, float]:
    """Unweighted mean over corpora of micro precision, recall and F1."""
    if not scores:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    n = len(scores)
    return {
        "precision": sum(s.micro.precision for s in scores.values()) / n,
        "recall": sum(s.micro.recall for s in scores.values()) / n,
        "f1": sum(s.micro.f1 for s in scores.values()) / n,
    }


__all__ = ["PRF", "SpanScores", "SpanTriple", "macro_average", "score_spans"]
