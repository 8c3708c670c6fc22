"""Format registry and shared helpers for readers and writers.

Every format module exposes ``read(path, **options) -> ReadResult`` and
``write(documents, path, **options) -> WriteReport``; this module maps format names to them
(imported lazily, so ``import mosaicner.io`` stays light).

Guarantees shared by every format: readers raise only :mod:`mosaicner.errors` exceptions, with
``FILE:LINE`` where a line is known (``tests/io/test_fuzz.py`` fuzzes every reader and writer);
writers write every file atomically (:mod:`mosaicner.io.files`); ``read(path)`` without a
format detects it (:mod:`mosaicner.io.detect`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from mosaicner.data.alignment import AlignmentReport
from mosaicner.data.model import Document
from mosaicner.errors import EmptyFileError, EncodingError, MissingFileError, UnknownComponentError


@dataclass
class ReadReport:
    """What a reader did, including everything lossy (repairs, skipped lines, dropped spans)."""

    path: str = ""
    format: str = ""
    documents: int = 0
    sentences: int = 0
    spans: int = 0
    repaired: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    # what could not be represented exactly, by kind ("spans not aligned to tokens": 3, ...)
    lossy: dict[str, int] = field(default_factory=dict)
    alignment: AlignmentReport | None = None

    def warn(self, message: str) -> None:
        if len(self.warnings) < 50:
            self.warnings.append(message)

    def count_loss(self, what: str, n: int = 1) -> None:
        self.lossy[what] = self.lossy.get(what, 0) + n

    def summary(self) -> str:
        text = (
            f"{self.path}: {self.documents} documents, {self.sentences} sentences, "
            f"{self.spans} spans"
        )
        if self.repaired:
            text += f", {self.repaired} tag sequences repaired"
        if self.skipped:
            text += f", {self.skipped} items skipped"
        for what, n in sorted(self.lossy.items()):
            text += f", {n} {what}"
        if self.alignment is not None and not self.alignment.lossless:
            text += "; " + self.alignment.summary()
        return text


@dataclass
class ReadResult:
    documents: list[Document]
    report: ReadReport


@dataclass
class WriteReport:
    """What a writer did; ``lossy`` lists what the target format could not represent."""

    path: str = ""
    format: str = ""
    documents: int = 0
    spans: int = 0
    lossy: dict[str, int] = field(default_factory=dict)

    def count_loss(self, what: str, n: int = 1) -> None:
        self.lossy[what] = self.lossy.get(what, 0) + n


@dataclass(frozen=True)
class FormatSpec:
    name: str
    module: str
    description: str
    directory: bool = False  # True when the format is a folder of files (BRAT)

    def _module(self) -> Any:
        return importlib.import_module(self.module)

    @property
    def reader(self) -> Callable[..., ReadResult]:
        return cast(Callable[..., ReadResult], self._module().read)

    @property
    def writer(self) -> Callable[..., WriteReport]:
        return cast(Callable[..., WriteReport], self._module().write)


FORMATS: dict[str, FormatSpec] = {}


def register_format(spec: FormatSpec) -> None:
    FORMATS[spec.name] = spec


for _spec in (
    FormatSpec("conll", "mosaicner.io.conll", "column TSV / CoNLL with IOB1, IOB2 or IOBES tags"),
    FormatSpec("jsonl", "mosaicner.io.jsonl", "native mosaicner JSON Lines (lossless)"),
    FormatSpec(
        "genia-jsonl", "mosaicner.io.genia", "GENIA nested JSON Lines (one sentence a line)"
    ),
    FormatSpec("brat", "mosaicner.io.brat", "BRAT standoff (.txt + .ann)", directory=True),
    FormatSpec("bioc-xml", "mosaicner.io.bioc_format", "BioC XML"),
    FormatSpec("bioc-json", "mosaicner.io.bioc_format", "BioC JSON"),
    FormatSpec("pubtator", "mosaicner.io.pubtator", "PubTator title/abstract + annotation lines"),
    FormatSpec("actions", "mosaicner.io.actions", "SRU-NER transition actions: tokens ||| actions"),
    FormatSpec("text", "mosaicner.io.text", "plain text (one document per file, or per line)"),
):
    register_format(_spec)


def get_format(name: str) -> FormatSpec:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownComponentError.for_name("format", name, FORMATS) from None


def read(path: str | Path, format: str | None = None, **options: Any) -> ReadResult:
    """Read a corpus file (or folder); ``format=None`` detects it
    (:func:`mosaicner.io.detect.detect_format`: the suffix, and the content where the suffix
    is ambiguous)."""
    if format is None:
        from mosaicner.io.detect import detect_format

        format = detect_format(path)
    spec = get_format(format)
    if spec.name in ("bioc-xml", "bioc-json"):
        options.setdefault("flavour", spec.name)
    return spec.reader(Path(path), **options)


def write(
    documents: Iterable[Document], path: str | Path, format: str | None = None, **options: Any
) -> WriteReport:
    """Write documents; ``format=None`` takes the format from the target's suffix only
    (:func:`mosaicner.io.detect.format_for_target`; the target is never read).  Every file is
    written atomically (:mod:`mosaicner.io.files`)."""
    if format is None:
        from mosaicner.io.detect import format_for_target

        format = format_for_target(path)
    spec = get_format(format)
    if spec.name in ("bioc-xml", "bioc-json"):
        options.setdefault("flavour", spec.name)
    return spec.writer(documents, Path(path), **options)


def read_text(path: str | Path, *, allow_empty: bool = False) -> str:
    """Read a UTF-8 file; clear errors for a missing file, bad bytes or an empty file."""
    p = Path(path)
    if not p.exists():
        raise MissingFileError(f"no such file: {p}", file=p, hint="check the path")
    if p.is_dir():
        raise MissingFileError(f"{p} is a directory", file=p, expected="a file")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte {exc.start}",
            file=p,
            line=line,
            expected="UTF-8 text",
            hint="re-encode the file as UTF-8 (for example with iconv)",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not allow_empty and not text.strip():
        raise EmptyFileError("the file is empty", file=p, line=1, expected="at least one record")
    return text


__all__ = [
    "FORMATS",
    "FormatSpec",
    "ReadReport",
    "ReadResult",
    "WriteReport",
    "get_format",
    "read",
    "read_text",
    "register_format",
    "write",
]
