"""Readers and writers for corpus formats.

``read(path, format) -> ReadResult`` and ``write(docs, path, format) -> WriteReport``;
``detect_format(path)`` tells the format of a corpus file (suffix, then content) and
``format_for_target(path)`` the format of an output path (suffix only).
"""

from mosaicner.io.base import (
    FORMATS,
    ReadReport,
    ReadResult,
    WriteReport,
    get_format,
    read,
    read_text,
    write,
)
from mosaicner.io.detect import detect_format, format_for_target

__all__ = [
    "FORMATS",
    "ReadReport",
    "ReadResult",
    "WriteReport",
    "detect_format",
    "format_for_target",
    "get_format",
    "read",
    "read_text",
    "write",
]
