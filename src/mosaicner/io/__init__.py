"""Readers and writers for corpus formats.

``read(path, format) -> ReadResult`` and ``write(docs, path, format) -> WriteReport``.
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

__all__ = [
    "FORMATS",
    "ReadReport",
    "ReadResult",
    "WriteReport",
    "get_format",
    "read",
    "read_text",
    "write",
]
