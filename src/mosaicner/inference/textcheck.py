"""Text that cannot be tagged: code points that are not Unicode scalar values.

A Python ``str`` can hold lone UTF-16 surrogates (U+D800..U+DFFF), for example from the JSON
escape ``"\\ud83d"`` without its partner.  They are not characters: UTF-8 cannot encode them and
the encoders' tokenizers fail on them.  Every other code point a ``str`` can hold is a Unicode
scalar value and is tagged like any other character (noncharacters such as U+FFFE included).

:func:`invalid_text_reason` finds the first such code point; :func:`check_text` raises
:class:`~mosaicner.errors.InvalidTextError`.  The server answers 422 with the reason, and
``mosaicner tag`` skips the document and counts it in its report.
"""

from __future__ import annotations

from mosaicner.errors import InvalidTextError


def invalid_text_reason(text: str) -> str | None:
    """``None`` for valid text, else a sentence naming the first bad code point and its offset."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        count = sum(1 for ch in text if 0xD800 <= ord(ch) <= 0xDFFF)
        more = f" ({count} in all)" if count > 1 else ""
        return (
            f"lone surrogate U+{ord(bad[0]):04X} at character {exc.start}{more}: "
            "not a Unicode character"
        )
    return None


def check_text(text: str, *, what: str = "text") -> None:
    """Raise :class:`InvalidTextError` when ``text`` holds code points UTF-8 cannot encode."""
    reason = invalid_text_reason(text)
    if reason is not None:
        raise InvalidTextError(
            f"{what}: {reason}",
            expected="Unicode text (surrogates only in valid pairs, as JSON \\ud83d\\ude00)",
            hint="fix the encoding of the input or drop the broken characters",
        )


__all__ = ["check_text", "invalid_text_reason"]
