"""Character ↔ token alignment with named modes.

* ``strict``: the span must start at a token start and end at a token end;
* ``contract``: shrink to the tokens lying fully inside the span;
* ``expand``: grow to every token the span touches.

Misalignments are never silent: :func:`align_document` returns an :class:`AlignmentReport` with
counts and examples, and :func:`char_to_token` raises :class:`AlignmentError` with the reason.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from mosaicner.data.model import Document, Span, Token
from mosaicner.errors import AlignmentError, ConfigError

AlignMode = Literal["strict", "contract", "expand"]
ALIGN_MODES: tuple[str, ...] = ("strict", "contract", "expand")


def _check_mode(mode: str) -> None:
    if mode not in ALIGN_MODES:
        raise ConfigError(f"unknown alignment mode {mode!r}", expected=" | ".join(ALIGN_MODES))


def char_to_token(
    tokens: Sequence[Token], start: int, end: int, mode: AlignMode = "strict"
) -> tuple[int, int]:
    """Map a character interval to a half-open token interval, or raise AlignmentError."""
    _check_mode(mode)
    return _char_to_token([t.start for t in tokens], [t.end for t in tokens], start, end, mode)


def _char_to_token(
    starts: Sequence[int], ends: Sequence[int], start: int, end: int, mode: AlignMode
) -> tuple[int, int]:
    # token boundary lists are built once per document by the callers (linear, not quadratic)
    if mode == "strict":
        i = bisect.bisect_left(starts, start)
        j = bisect.bisect_left(ends, end)
        n = len(starts)
        if i < n and starts[i] == start and j < n and ends[j] == end and i <= j:
            return (i, j + 1)
        raise AlignmentError(
            f"characters [{start}, {end}) do not fall on token boundaries",
            hint="use alignment mode 'contract' or 'expand'",
        )
    if mode == "contract":
        i = bisect.bisect_left(starts, start)
        j = bisect.bisect_right(ends, end)  # tokens [i, j) end at or before `end`
        if i < j:
            return (i, j)
        raise AlignmentError(
            f"no token lies fully inside characters [{start}, {end})",
            hint="use alignment mode 'expand'",
        )
    # expand
    i = bisect.bisect_right(ends, start)  # first token ending after start
    j = bisect.bisect_left(starts, end)  # tokens [i, j) start before end
    if i < j:
        return (i, j)
    raise AlignmentError(f"characters [{start}, {end}) touch no token")


def token_to_char(tokens: Sequence[Token], token_start: int, token_end: int) -> tuple[int, int]:
    if not (0 <= token_start < token_end <= len(tokens)):
        raise AlignmentError(
            f"token interval [{token_start}, {token_end}) outside 0..{len(tokens)}"
        )
    return (tokens[token_start].start, tokens[token_end - 1].end)


@dataclass
class AlignmentReport:
    """What alignment did: exact matches, adjusted spans and spans it could not align."""

    mode: str = "strict"
    total: int = 0
    exact: int = 0
    adjusted: int = 0
    failed: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(message)

    def merge(self, other: AlignmentReport) -> None:
        self.total += other.total
        self.exact += other.exact
        self.adjusted += other.adjusted
        self.failed += other.failed
        for e in other.examples:
            self.note(e)

    @property
    def lossless(self) -> bool:
        return self.adjusted == 0 and self.failed == 0

    def summary(self) -> str:
        return (
            f"alignment ({self.mode}): {self.total} spans, {self.exact} exact, "
            f"{self.adjusted} adjusted, {self.failed} not aligned"
        )


def align_document(
    doc: Document, mode: AlignMode = "strict", layers: Sequence[str] | None = None
) -> tuple[Document, AlignmentReport]:
    """Fill ``token_start``/``token_end`` of every span; report what could not be aligned.

    Spans that fail to align keep ``token_start=None`` (they remain in the document and are
    counted in the report); adjusted spans (contract/expand) get new character offsets too.
    """
    _check_mode(mode)
    report = AlignmentReport(mode=mode)
    new_layers = dict(doc.spans)
    starts = [t.start for t in doc.tokens]
    ends = [t.end for t in doc.tokens]
    for name in layers if layers is not None else list(doc.spans):
        out: list[Span] = []
        for sp in doc.spans.get(name, ()):
            report.total += 1
            try:
                ts, te = _char_to_token(starts, ends, sp.start, sp.end, mode)
            except AlignmentError as exc:
                report.failed += 1
                report.note(f"{doc.id}: {sp.label} {doc.text[sp.start : sp.end]!r}: {exc.message}")
                out.append(replace(sp, token_start=None, token_end=None))
                continue
            cs, ce = token_to_char(doc.tokens, ts, te)
            if (cs, ce) == (sp.start, sp.end):
                report.exact += 1
                out.append(replace(sp, token_start=ts, token_end=te))
            else:
                report.adjusted += 1
                report.note(
                    f"{doc.id}: {sp.label} {doc.text[sp.start : sp.end]!r} -> {doc.text[cs:ce]!r}"
                )
                out.append(replace(sp, start=cs, end=ce, token_start=ts, token_end=te))
        new_layers[name] = tuple(out)
    return replace(doc, spans=new_layers), report


__all__ = [
    "ALIGN_MODES",
    "AlignMode",
    "AlignmentReport",
    "align_document",
    "char_to_token",
    "token_to_char",
]
