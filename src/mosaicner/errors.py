"""One exception hierarchy for the whole toolkit.

::

    MosaicnerError
    ├── DataError                    bad input data
    │   ├── FormatError              a file does not follow its format (file and line known)
    │   │   ├── TagSequenceError     ill-formed IOB/IOBES tag sequence (strict mode)
    │   │   ├── TagPrefixError       a tag prefix the scheme does not know
    │   │   ├── ColumnCountError     wrong number of columns in a column file
    │   │   ├── EncodingError        bytes that are not valid UTF-8
    │   │   ├── EmptyFileError       a file with no content
    │   │   └── JSONLineError        a JSON line that does not parse or has the wrong shape
    │   ├── OffsetError              offsets outside the text, or start > end
    │   ├── AlignmentError           a character span that does not fall on token boundaries
    │   ├── CrossingSpansError       crossing spans where a format needs proper nesting
    │   ├── MissingFileError         a file or split that should exist does not
    │   │   └── MissingSplitError
    │   └── UnrepresentableError     a document holds what the target format cannot hold
    ├── SchemaError                  label maps and label sets
    │   └── UnknownLabelError
    ├── ConfigError                  configuration and registries
    │   └── UnknownComponentError    unknown format / head / sampler / corpus name
    └── ModelError                   saved models that cannot be loaded or used

Every error renders as ``FILE:LINE: what was wrong; expected ...; hint: what to do``
(parts that are unknown are left out).  The CLI prints ``error: `` + that text and exits 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class MosaicnerError(Exception):
    """Base class of every error raised on purpose by mosaicner."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.expected = expected
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """``FILE:LINE: message; expected ...; hint: ...`` (the CLI prints it after ``error:``)."""
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        text = where + self.message
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f"; hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


class DataError(MosaicnerError):
    """Input data is wrong."""


class FormatError(DataError):
    """A file does not follow its format."""


class TagSequenceError(FormatError):
    """An ill-formed tag sequence (for example ``I-X`` after ``O`` in strict IOB2 mode)."""


class TagPrefixError(FormatError):
    """A tag prefix the scheme does not know."""


class ColumnCountError(FormatError):
    """A line of a column file with the wrong number of columns."""


class EncodingError(FormatError):
    """Bytes that are not valid UTF-8."""


class EmptyFileError(FormatError):
    """A file without content."""


class JSONLineError(FormatError):
    """A JSON line that does not parse or lacks required fields."""


class OffsetError(DataError):
    """Offsets outside the text, or an empty/negative interval."""


class AlignmentError(DataError):
    """A character span does not fall on token boundaries (strict alignment)."""


class CrossingSpansError(DataError):
    """Two spans cross where the format needs properly nested spans."""


class MissingFileError(DataError):
    """A file or split that should exist does not."""


class MissingSplitError(MissingFileError):
    """A corpus split that was asked for does not exist."""


class UnrepresentableError(DataError):
    """A document holds something the target format cannot hold (a writer refuses it)."""


class SchemaError(MosaicnerError):
    """Label maps and label sets."""


class UnknownLabelError(SchemaError):
    """A label that a label map does not know."""


class ConfigError(MosaicnerError):
    """Configuration or registry problems."""


class UnknownComponentError(ConfigError):
    """An unknown registered name; the message lists the known names and the closest one."""

    @classmethod
    def for_name(cls, kind: str, name: str, known: Iterable[str]) -> UnknownComponentError:
        """The error for an unknown ``name`` of a ``kind``, listing the known names and the closest
        one.
        """
        known_list = sorted(known)
        close = difflib.get_close_matches(name, known_list, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        return cls(
            f"unknown {kind} {name!r}",
            expected="one of " + ", ".join(known_list),
            hint=hint,
        )


class ModelError(MosaicnerError):
    """A saved model cannot be loaded or used."""


class InvalidTextError(DataError):
    """Text holding code points that UTF-8 cannot encode (lone UTF-16 surrogates)."""


__all__ = [
    "AlignmentError",
    "ColumnCountError",
    "ConfigError",
    "CrossingSpansError",
    "DataError",
    "EmptyFileError",
    "EncodingError",
    "FormatError",
    "InvalidTextError",
    "JSONLineError",
    "MissingFileError",
    "MissingSplitError",
    "ModelError",
    "MosaicnerError",
    "OffsetError",
    "SchemaError",
    "TagPrefixError",
    "TagSequenceError",
    "UnknownComponentError",
    "UnknownLabelError",
    "UnrepresentableError",
]
