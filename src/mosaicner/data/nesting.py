"""Nesting checks: find crossing spans.

Two spans *cross* when they overlap but neither contains the other (``[0, 3)`` and ``[2, 5)``).
Nested spans (one inside the other) and spans with the same interval do not cross.  Formats and
decoders that need a proper tree of spans (for example the SRU-NER transition actions) call
:func:`require_nesting`, which raises :class:`~mosaicner.errors.CrossingSpansError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mosaicner.data.model import Span
from mosaicner.errors import CrossingSpansError


def check_nesting(spans: Sequence[Span]) -> list[tuple[Span, Span]]:
    """Return every pair of crossing spans (earlier-starting span first)."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    pairs: list[tuple[Span, Span]] = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            if b.end > a.end and b.start > a.start:
                pairs.append((a, b))
    return pairs


def is_properly_nested(spans: Sequence[Span]) -> bool:
    """Whether no two spans cross (nesting and disjointness are fine)."""
    return not check_nesting(spans)


def require_nesting(
    spans: Sequence[Span],
    *,
    file: str | Path | None = None,
    line: int | None = None,
    context: str = "",
) -> None:
    """Raise CrossingSpansError naming the first crossing pair, if any."""
    pairs = check_nesting(spans)
    if not pairs:
        return
    a, b = pairs[0]
    where = f"{context}: " if context else ""
    raise CrossingSpansError(
        f"{where}spans [{a.start}, {a.end}) {a.label!r} and [{b.start}, {b.end}) {b.label!r} "
        f"cross ({len(pairs)} crossing pair{'s' if len(pairs) != 1 else ''})",
        file=file,
        line=line,
        expected="spans that are nested or disjoint",
        hint="flatten or fix the crossing spans (mosaicner.data.flatten)",
    )


__all__ = ["check_nesting", "is_properly_nested", "require_nesting"]
