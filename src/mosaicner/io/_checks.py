"""Type and range checks shared by the readers (private to :mod:`mosaicner.io`).

Readers never trust the shape of their input: JSON is parsed with :func:`parse_json` (depth,
number size, ``Infinity``/``NaN`` and lone surrogates checked), and every value is checked
with :func:`as_int` / :func:`as_str` before use, so bad input raises
:class:`~mosaicner.errors.FormatError` subclasses with ``FILE:LINE`` instead of ``TypeError``,
``OverflowError``, ``RecursionError`` or an allocation of unbounded size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mosaicner.errors import FormatError, JSONLineError

#: largest offset or index a reader accepts (far beyond any real corpus, bounded memory)
MAX_INDEX = 1 << 40
#: JSON nesting a reader accepts (documents nest 4-6 levels; metadata may nest a little more)
MAX_JSON_DEPTH = 64
#: digits of an offset written as text (PubTator, BRAT): enough for MAX_INDEX
MAX_DIGITS = 15
ASCII_INT = re.compile(r"[0-9]{1,15}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def depth_of(obj: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a parsed JSON value, counted up to ``limit + 1`` (iterative)."""
    peak = 0
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, dict | list):
            d += 1
            if d > peak:
                peak = d
                if peak > limit:
                    return peak
            stack.extend((v, d) for v in (x.values() if isinstance(x, dict) else x))
    return peak


def _has_surrogate(obj: Any) -> str | None:
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            for ch in x:
                if "\ud800" <= ch <= "\udfff":
                    return f"U+{ord(ch):04X}"
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


def parse_json(
    text: str,
    *,
    file: str | Path,
    line: int | None,
    expected: str,
    error: type[FormatError] = JSONLineError,
) -> Any:
    """``json.loads`` that raises ``error`` (``FILE:LINE``) for everything a reader must refuse.

    Refused: syntax errors, nesting deeper than the recursion limit, integers longer than
    Python's int-string limit, ``Infinity``/``NaN``, and lone UTF-16 surrogates (``\\ud83d``),
    which no UTF-8 writer can write back.
    """
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise error(
            f"not valid JSON ({exc.msg} at column {exc.colno})",
            file=file,
            line=exc.lineno if line is None else line + exc.lineno - 1,
            expected=expected,
        ) from None
    except RecursionError:
        raise error(
            "JSON nested too deeply to read", file=file, line=line, expected=expected
        ) from None
    except ValueError as exc:  # the int-string limit, Infinity/NaN
        raise error(
            f"not usable JSON ({str(exc)[:120]})", file=file, line=line, expected=expected
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        bad = _has_surrogate(obj)
        if bad is not None:
            raise error(
                f"a string holds the lone UTF-16 surrogate {bad}, which is not a character",
                file=file,
                line=line,
                expected="valid Unicode text",
                hint="fix the \\uD8xx-\\uDFxx escapes (surrogates come in pairs)",
            )
    return obj


class ShapeError(ValueError):
    """A value of the wrong type or range (turned into a FormatError by the reader)."""


class OutOfRange(ShapeError):
    """An integer of the right type outside its allowed range (an offset outside the text)."""


def as_int(value: Any, what: str, lo: int = 0, hi: int = MAX_INDEX) -> int:
    """``value`` as an int in ``[lo, hi]``; bools, floats, strings and null are refused."""
    if type(value) is not int:
        raise ShapeError(f"{what} is {_describe(value)}, not an integer")
    if not lo <= value <= hi:
        raise OutOfRange(f"{what} {value if abs(value) < 10**18 else '(huge)'} is out of range "
                         f"[{lo}, {hi}]")  # fmt: skip
    return value


def as_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ShapeError(f"{what} is {_describe(value)}, not a string")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ShapeError(f"{what} is {_describe(value)}, not a list")
    return value


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(f"{what} is {_describe(value)}, not an object")
    return value


def scalar_str(value: Any, what: str) -> str:
    """A string, or a number/bool written as a string; null, lists and objects are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    raise ShapeError(f"{what} is {_describe(value)}, not a string")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_offset(text: str, what: str) -> int:
    """An offset written as ASCII digits (at most :data:`MAX_DIGITS`); else ShapeError."""
    if not ASCII_INT.fullmatch(text):
        raise ShapeError(f"{what} {text[:20]!r} is not a number of ASCII digits 0-9 "
                         f"(at most {MAX_DIGITS})")  # fmt: skip
    return int(text)


__all__ = [
    "MAX_DIGITS",
    "MAX_INDEX",
    "MAX_JSON_DEPTH",
    "OutOfRange",
    "ShapeError",
    "as_dict",
    "as_int",
    "as_list",
    "as_str",
    "depth_of",
    "parse_json",
    "parse_offset",
    "scalar_str",
]
