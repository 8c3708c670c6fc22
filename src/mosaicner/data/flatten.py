"""Explicit, reported flattening of nested or overlapping spans.

Flat formats (IOB tags in CoNLL files, for example) cannot hold nested spans.  Writers call
:func:`flatten` with a named policy and record the number of dropped spans in their
``WriteReport.lossy``; nothing is dropped silently.

Policies (spans are compared by their character intervals ``[start, end)``):

* ``outermost`` (default): scan spans left to right, longer first at equal starts; keep a span
  when it overlaps no span kept so far.  Nested spans lose their inner spans; of two crossing
  spans the one that starts first wins.
* ``innermost``: keep the shortest spans first (ties: leftmost); a span is kept when it overlaps
  no kept span.  Nested spans lose their outer spans.
* ``longest``: keep the longest spans first (ties: leftmost).  Same as ``outermost`` for properly
  nested spans; differs for crossing spans.
* ``error``: keep everything, but raise :class:`~mosaicner.errors.DataError` when two spans
  overlap.

Two spans with the same interval and different labels overlap: the policies keep one (the
label that sorts first) and drop the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mosaicner.data.model import Span, span_sort_key
from mosaicner.errors import ConfigError, DataError

FLATTEN_POLICIES: tuple[str, ...] = ("outermost", "innermost", "longest", "error")


@dataclass
class FlattenReport:
    """How many spans a flattening kept and dropped, with a few examples of dropped spans."""

    policy: str = "outermost"
    total: int = 0
    kept: int = 0
    dropped: int = 0
    examples: list[str] = field(default_factory=list)

    def merge(self, other: FlattenReport) -> None:
        """Add another report's counts to this one."""
        self.total += other.total
        self.kept += other.kept
        self.dropped += other.dropped
        for e in other.examples:
            if len(self.examples) < 20:
                self.examples.append(e)

    def summary(self) -> str:
        """One line: spans seen, kept and dropped under the policy."""
        return (
            f"flatten ({self.policy}): {self.total} spans, {self.kept} kept, {self.dropped} dropped"
        )


def check_policy(policy: str) -> str:
    """``policy`` when it is a known flattening policy, else a :class:`ConfigError`."""
    if policy not in FLATTEN_POLICIES:
        raise ConfigError(
            f"unknown flatten policy {policy!r}", expected=" | ".join(FLATTEN_POLICIES)
        )
    return policy


def _greedy(spans: Sequence[Span], order: Sequence[Span]) -> list[Span]:
    kept: list[Span] = []
    taken: list[tuple[int, int]] = []  # kept intervals, in no particular order
    for sp in order:
        if any(sp.start < e and s < sp.end for s, e in taken):
            continue
        kept.append(sp)
        taken.append((sp.start, sp.end))
    return kept


def flat_target_drops(spans: Iterable[tuple[int, int, str]]) -> int:
    """How many of a sentence's token spans a flat tag sequence cannot hold when the outermost
    (then earliest) spans are kept, the rule of the CRF and softmax heads' targets."""
    items = list(spans)
    return len(items) - len(flat_view(items, "outermost"))


def flat_view(
    spans: Iterable[tuple[int, int, str]], policy: str = "outermost"
) -> tuple[tuple[int, int, str], ...]:
    """The token spans a flat tag sequence keeps under ``policy`` (``outermost``: longer first
    at equal starts, as the CRF targets; ``innermost``: shortest first), in start order."""
    check_policy(policy)
    items = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    if policy == "innermost":
        order = sorted(items, key=lambda s: (s[1] - s[0], s[0], s[2]))
    elif policy == "longest":
        order = sorted(items, key=lambda s: (-(s[1] - s[0]), s[0], s[2]))
    else:
        order = items
    taken: list[tuple[int, int]] = []
    kept: list[tuple[int, int, str]] = []
    for ts, te, label in order:
        if any(ts < e and s < te for s, e in taken):
            continue
        taken.append((ts, te))
        kept.append((ts, te, label))
    return tuple(sorted(kept, key=lambda s: (s[0], -s[1], s[2])))


def flatten(
    spans: Sequence[Span], policy: str = "outermost"
) -> tuple[tuple[Span, ...], FlattenReport]:
    """Return the spans a flat format can hold under ``policy`` and a report of what was dropped."""
    check_policy(policy)
    report = FlattenReport(policy=policy, total=len(spans))
    ordered = sorted(spans, key=span_sort_key)
    # fast path: no overlap at all
    flat = all(a.end <= b.start for a, b in itertools.pairwise(ordered))
    if flat:
        report.kept = len(ordered)
        return tuple(ordered), report
    if policy == "error":
        for a, b in itertools.pairwise(ordered):
            if b.start < a.end:
                raise DataError(
                    f"spans [{a.start}, {a.end}) {a.label!r} and [{b.start}, {b.end}) "
                    f"{b.label!r} overlap and the target format is flat",
                    hint="choose a flatten policy: outermost, innermost or longest",
                )
    if policy == "outermost":
        order = ordered
    elif policy == "innermost":
        order = sorted(ordered, key=lambda s: (s.end - s.start, s.start, s.label))
    else:  # longest
        order = sorted(ordered, key=lambda s: (-(s.end - s.start), s.start, s.label))
    kept = _greedy(ordered, order)
    kept_ids = {id(s) for s in kept}
    for sp in ordered:
        if id(sp) not in kept_ids:
            report.dropped += 1
            if len(report.examples) < 20:
                report.examples.append(f"[{sp.start}, {sp.end}) {sp.label}")
    report.kept = len(kept)
    return tuple(sorted(kept, key=span_sort_key)), report


__all__ = [
    "FLATTEN_POLICIES",
    "FlattenReport",
    "check_policy",
    "flat_target_drops",
    "flat_view",
    "flatten",
]
