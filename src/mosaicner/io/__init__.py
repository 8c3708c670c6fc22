"""Readers and writers for corpus formats. ``read(path, format)`` / ``write(docs, path, format)``."""

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

__all__ = ["FORMATS", "ReadReport", "ReadResult", "WriteReport", "get_format", "read", "read_text", "write"]
