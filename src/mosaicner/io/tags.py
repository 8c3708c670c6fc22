"""Tag schemes for token-level formats: IOB1, IOB2 and IOBES, as explicit code.

A tag is ``O`` or ``<prefix>-<type>``; spans are half-open token intervals
``(token_start, token_end, type)``.

* **IOB2** (``iob2``, the default and what writers emit): every span starts with ``B-``; ``I-X``
  continues a span of type ``X``.  ``I-X`` after ``O`` or after a span of another type is
  ill-formed.
* **IOB1** (``iob1``, CoNLL-2003 style): a span starts with ``I-X``; ``B-X`` is used only for a
  span that directly follows another span of the same type.  ``B-X`` anywhere else is
  ill-formed (its meaning is clear, so lenient mode accepts it and counts it).
* **IOBES** (``iobes``, also called BIOES/BILOU with S/E): ``S-X`` is a one-token span, a longer
  span is ``B-X (I-X)* E-X``.  ``I-X``/``E-X`` without a preceding ``B-X``/``I-X`` of the same
  type, and a ``B-X``/``I-X`` that is not continued, are ill-formed.

**Strict mode** (default) raises :class:`~mosaicner.errors.TagSequenceError` at the first
ill-formed tag and :class:`~mosaicner.errors.TagPrefixError` at an unknown prefix, naming the
file and line of the offending token when the caller passes them.  **Lenient mode** repairs the
sequence the way most tools read it (a dangling ``I-X``/``E-X`` opens a new span, an unfinished
``B-X``/``I-X`` span ends where the next tag does not continue it) and returns the number of
repairs, which readers add to ``ReadReport.repaired``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Literal

from mosaicner.errors import ConfigError, DataError, TagPrefixError, TagSequenceError

Scheme = Literal["iob1", "iob2", "iobes"]
SCHEMES: tuple[str, ...] = ("iob1", "iob2", "iobes")
_PREFIXES: dict[str, frozenset[str]] = {
    "iob1": frozenset("BI"),
    "iob2": frozenset("BI"),
    "iobes": frozenset("BIES"),
}

TokenSpan = tuple[int, int, str]


def check_scheme(scheme: str) -> Scheme:
    """Return the normalised scheme name or raise ConfigError."""
    s = scheme.lower().replace("-", "")
    if s in ("bio", "iob"):
        s = "iob2"
    elif s in ("bioes", "bilou"):
        s = "iobes"
    if s not in SCHEMES:
        raise ConfigError(f"unknown tag scheme {scheme!r}", expected=" | ".join(SCHEMES))
    return s  # type: ignore[return-value]


def split_tag(
    tag: str, scheme: str = "iob2", *, file: str | Path | None = None, line: int | None = None
) -> tuple[str, str]:
    """Split ``B-X`` into ``("B", "X")``; ``O`` gives ``("O", "")``.  Unknown prefix → error."""
    if tag == "O":
        return ("O", "")
    allowed = _PREFIXES[scheme]
    if len(tag) > 2 and tag[1] == "-" and tag[0] in allowed:
        return (tag[0], tag[2:])
    raise TagPrefixError(
        f"tag {tag!r} has no valid {scheme.upper()} prefix",
        file=file,
        line=line,
        expected="O or " + ", ".join(f"{p}-<type>" for p in sorted(allowed)),
        hint="pass the right --scheme (iob1, iob2, iobes)",
    )


def decode(
    tags: Sequence[str],
    scheme: str = "iob2",
    *,
    strict: bool = True,
    file: str | Path | None = None,
    lines: Sequence[int] | None = None,
) -> tuple[list[TokenSpan], int]:
    """Decode a tag sequence into spans; return ``(spans, repairs)``.

    ``lines[i]`` is the file line of token ``i`` (used in error messages with ``file``).
    """
    sch = check_scheme(scheme)
    spans: list[TokenSpan] = []
    repairs = 0
    open_start = -1  # start of the open span, -1 when none
    open_type = ""
    # IOBES: whether the open span still needs a continuation (after B- or I-)
    allowed = _PREFIXES[sch]

    fail = partial(_sequence_error, file, lines)

    for i, tag in enumerate(tags):
        if tag == "O":
            if open_start >= 0:
                if sch == "iobes":
                    if strict:
                        raise fail(
                            i,
                            f"span {open_type!r} opened at token {open_start} is not closed "
                            f"with E-{open_type} before 'O'",
                            f"I-{open_type} or E-{open_type}",
                        )
                    repairs += 1
                spans.append((open_start, i, open_type))
                open_start = -1
            continue
        if len(tag) > 2 and tag[1] == "-" and tag[0] in allowed:
            prefix, typ = tag[0], tag[2:]
        else:
            prefix, typ = split_tag(tag, sch, file=file, line=_line_of(lines, i))
        prev = tags[i - 1] if i > 0 else "O"

        if sch == "iob2":
            if prefix == "B":
                if open_start >= 0:
                    spans.append((open_start, i, open_type))
                open_start, open_type = i, typ
            elif open_start >= 0 and open_type == typ:
                pass  # I-X continues
            else:
                if strict:
                    raise fail(
                        i,
                        f"tag {tag!r} continues no span (previous tag {prev!r})",
                        f"B-{typ} to start a span",
                    )
                repairs += 1
                if open_start >= 0:
                    spans.append((open_start, i, open_type))
                open_start, open_type = i, typ
        elif sch == "iob1":
            if prefix == "I":
                if open_start >= 0 and open_type == typ:
                    continue
                if open_start >= 0:
                    spans.append((open_start, i, open_type))
                open_start, open_type = i, typ
            else:  # B-X: only directly after a span of the same type
                if not (open_start >= 0 and open_type == typ):
                    if strict:
                        raise fail(
                            i,
                            f"IOB1 tag {tag!r} does not follow a span of type {typ!r} "
                            f"(previous tag {prev!r})",
                            f"I-{typ} to start a span",
                        )
                    repairs += 1
                if open_start >= 0:
                    spans.append((open_start, i, open_type))
                open_start, open_type = i, typ
        else:  # iobes
            continuing = open_start >= 0 and open_type == typ
            if prefix in ("B", "S"):
                if open_start >= 0:
                    if strict:
                        raise fail(
                            i,
                            f"span {open_type!r} opened at token {open_start} is not closed "
                            f"before {tag!r}",
                            f"I-{open_type} or E-{open_type}",
                        )
                    repairs += 1
                    spans.append((open_start, i, open_type))
                    open_start = -1
                if prefix == "S":
                    spans.append((i, i + 1, typ))
                else:
                    open_start, open_type = i, typ
            else:  # I or E
                if not continuing:
                    if strict:
                        raise fail(
                            i,
                            f"tag {tag!r} continues no span (previous tag {prev!r})",
                            f"B-{typ} or S-{typ} to start a span",
                        )
                    repairs += 1
                    if open_start >= 0:
                        spans.append((open_start, i, open_type))
                    open_start, open_type = i, typ
                if prefix == "E":
                    spans.append((open_start, i + 1, typ))
                    open_start = -1

    if open_start >= 0:
        if sch == "iobes":
            repairs += _unclosed_at_end(strict, len(tags), open_start, open_type, fail)
        spans.append((open_start, len(tags), open_type))
    return spans, repairs


def _line_of(lines: Sequence[int] | None, i: int) -> int | None:
    return lines[i] if lines is not None and i < len(lines) else None


def _sequence_error(
    file: str | Path | None, lines: Sequence[int] | None, i: int, message: str, expected: str
) -> TagSequenceError:
    return TagSequenceError(
        message,
        file=file,
        line=_line_of(lines, i),
        expected=expected,
        hint="fix the tags, or read with strict=False (--lenient) to repair and count them",
    )


def _unclosed_at_end(
    strict: bool,
    n: int,
    open_start: int,
    open_type: str,
    fail: Callable[[int, str, str], TagSequenceError],
) -> int:
    """IOBES: a span still open at the end of the sentence; raises (strict) or counts a repair."""
    if strict:
        raise fail(
            n - 1,
            f"span {open_type!r} opened at token {open_start} is not closed at the end "
            "of the sentence",
            f"E-{open_type}",
        )
    return 1


def encode(spans: Sequence[TokenSpan], length: int, scheme: str = "iob2") -> list[str]:
    """Encode non-overlapping spans over ``length`` tokens as tags.

    Overlapping spans cannot be encoded (flatten them first with
    :func:`mosaicner.data.flatten.flatten`); they raise :class:`DataError`.
    """
    sch = check_scheme(scheme)
    tags = ["O"] * length
    ordered = sorted(spans)
    prev_end = 0
    prev_type: str | None = None
    for ts, te, typ in ordered:
        if not (0 <= ts < te <= length):
            raise DataError(
                f"span [{ts}, {te}) {typ!r} lies outside 0..{length}",
                expected="0 <= token_start < token_end <= sentence length",
            )
        if ts < prev_end:
            raise DataError(
                f"span [{ts}, {te}) {typ!r} overlaps the previous span; tag schemes are flat",
                hint="flatten nested spans first (mosaicner.data.flatten)",
            )
        if sch == "iob2":
            tags[ts] = "B-" + typ
            for k in range(ts + 1, te):
                tags[k] = "I-" + typ
        elif sch == "iob1":
            adjacent = ts == prev_end and prev_type == typ and ts > 0
            tags[ts] = ("B-" if adjacent else "I-") + typ
            for k in range(ts + 1, te):
                tags[k] = "I-" + typ
        else:
            if te - ts == 1:
                tags[ts] = "S-" + typ
            else:
                tags[ts] = "B-" + typ
                for k in range(ts + 1, te - 1):
                    tags[k] = "I-" + typ
                tags[te - 1] = "E-" + typ
        prev_end, prev_type = te, typ
    return tags


def convert(
    tags: Sequence[str], source: str, target: str, *, strict: bool = True
) -> tuple[list[str], int]:
    """Re-encode a tag sequence from one scheme to another; return ``(tags, repairs)``."""
    spans, repairs = decode(tags, source, strict=strict)
    return encode(spans, len(tags), target), repairs


__all__ = [
    "SCHEMES",
    "Scheme",
    "TokenSpan",
    "check_scheme",
    "convert",
    "decode",
    "encode",
    "split_tag",
]
