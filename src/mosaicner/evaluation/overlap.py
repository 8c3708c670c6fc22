"""Partial-overlap span scores, a lenient secondary figure next to strict P/R/F1.

Definition (per item, per type; spans are half-open ``[start, end)``):

* a **predicted** span of type X is *matched* if it shares at least one unit (token or
  character) with some gold span of type X in the same item: ``p.start < g.end and
  g.start < p.end``;
* a **gold** span of type X is *matched* if it shares at least one unit with some predicted
  span of type X in the same item;
* precision = matched predictions / predictions, recall = matched gold spans / gold spans,
  F1 = their harmonic mean.

Matching is many-to-many (one long prediction covering two gold spans matches both), so the
figure is an upper bound on boundary-tolerant performance, not a one-to-one alignment.  Spans
are deduplicated per item as in strict scoring.  Exact matches always count as overlaps, so
overlap scores are never below strict scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from mosaicner.evaluation.metrics import SpanTriple


@dataclass
class OverlapPRF:
    matched_pred: int = 0
    n_pred: int = 0
    matched_gold: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: OverlapPRF) -> None:
        self.matched_pred += other.matched_pred
        self.n_pred += other.n_pred
        self.matched_gold += other.matched_gold
        self.n_gold += other.n_gold

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "matched_pred": self.matched_pred,
            "n_pred": self.n_pred,
            "matched_gold": self.matched_gold,
            "n_gold": self.n_gold,
        }


@dataclass
class OverlapScores:
    micro: OverlapPRF = field(default_factory=OverlapPRF)
    per_type: dict[str, OverlapPRF] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "definition": "a span is matched if it shares >= 1 unit with a span of the same type",
            "micro": self.micro.to_dict(),
            "per_type": {k: v.to_dict() for k, v in sorted(self.per_type.items())},
        }


def _overlaps(a: SpanTriple, b: SpanTriple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_overlap(
    gold: Sequence[Iterable[SpanTriple]],
    pred: Sequence[Iterable[SpanTriple]],
    types: Collection[str] | None = None,
) -> OverlapScores:
    """Partial-overlap scores over aligned items (see the module docstring for the definition)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}")
    keep = set(types) if types is not None else None
    scores = OverlapScores()
    for g_items, p_items in zip(gold, pred, strict=True):
        g_by: dict[str, list[SpanTriple]] = defaultdict(list)
        p_by: dict[str, list[SpanTriple]] = defaultdict(list)
        for s in set(g_items):
            if keep is None or s[2] in keep:
                g_by[s[2]].append(s)
        for s in set(p_items):
            if keep is None or s[2] in keep:
                p_by[s[2]].append(s)
        for label in set(g_by) | set(p_by):
            gs, ps = g_by.get(label, []), p_by.get(label, [])
            prf = scores.per_type.setdefault(label, OverlapPRF())
            prf.n_gold += len(gs)
            prf.n_pred += len(ps)
            prf.matched_pred += sum(1 for p in ps if any(_overlaps(p, g) for g in gs))
            prf.matched_gold += sum(1 for g in gs if any(_overlaps(g, p) for p in ps))
    if keep is not None:
        for t in keep:
            scores.per_type.setdefault(t, OverlapPRF())
    for prf in scores.per_type.values():
        scores.micro.add(prf)
    return scores


__all__ = ["OverlapPRF", "OverlapScores", "score_overlap"]
