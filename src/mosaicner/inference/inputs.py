"""Where ``mosaicner tag`` reads documents from: input specs, shards, lazy document streams.

Documents come as ``(key, document)`` in input order; keys are ``shard_index << 32 |
index_in_shard``, stable across runs and engines.  Text is read exactly (no newline
translation), so character offsets index the input as given.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mosaicner.data.model import Document
from mosaicner.errors import JSONLineError, MissingFileError, UnknownComponentError
from mosaicner.io.text import open_text, strip_line_end

KEY_SHIFT = 32
STREAMING_INPUTS = ("text", "jsonl")
INPUT_FORMATS = (
    "text",
    "jsonl",
    "conll",
    "genia-jsonl",
    "bioc-xml",
    "bioc-json",
    "pubtator",
    "brat",
)
OUTPUT_FORMATS = ("jsonl", "bioc-xml", "bioc-json", "pubtator", "brat", "conll", "spacy")
_SHARD_SUFFIXES = {
    "text": (".txt",),
    "jsonl": (".jsonl", ".json"),
    "conll": (".tsv", ".conll", ".iob", ".txt"),
    "genia-jsonl": (".jsonlines", ".jsonl"),
    "bioc-xml": (".xml",),
    "bioc-json": (".json",),
    "pubtator": (".txt", ".pubtator"),
}


def make_key(shard: int, index: int) -> int:
    return (shard << KEY_SHIFT) | index


# ---------------------------------------------------------------------------- document codec
def document_to_json(doc: Document) -> dict[str, Any]:
    """Native mosaicner JSONL record (:mod:`mosaicner.io.jsonl`, lossless), plus each span's
    surface ``text`` for convenience (ignored by the reader)."""
    from mosaicner.io import jsonl

    record = jsonl.document_to_json(doc)
    for layer, spans in doc.spans.items():
        for obj, span in zip(record["spans"][layer], spans, strict=True):
            obj["text"] = doc.span_text(span)
    return record


def document_from_json(data: dict[str, Any]) -> Document:
    from mosaicner.io import jsonl

    return jsonl.document_from_json(data)


# ---------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class InputSpec:
    """Where documents come from: a file, a folder of shards, or ``-`` (stdin)."""

    path: str
    format: str = "text"
    text_unit: str = "auto"  # text only: "line" (one document a line) or "file"

    def shards(self) -> list[Path]:
        if self.path == "-":
            return []
        p = Path(self.path)
        if not p.exists():
            raise MissingFileError(f"no such input: {p}", file=p, hint="check --input")
        if p.is_dir() and self.format != "brat":
            suffixes = _SHARD_SUFFIXES.get(self.format, ())
            files = sorted(
                f for f in p.iterdir() if f.is_file() and (not suffixes or f.suffix in suffixes)
            )
            if not files:
                raise MissingFileError(
                    f"no {self.format} files in {p}",
                    file=p,
                    expected="files ending in " + ", ".join(suffixes),
                )
            return files
        return [p]

    def unit(self) -> str:
        if self.text_unit != "auto":
            return self.text_unit
        return "file" if self.path != "-" and Path(self.path).is_dir() else "line"

    def fingerprint(self) -> list[list[Any]]:
        out: list[list[Any]] = []
        for f in self.shards():
            st = f.stat()
            out.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
        return out


def _iter_text(stream: IO[str], name: str, unit: str) -> Iterator[tuple[int, Document]]:
    if unit == "file":
        text = stream.read()
        if text.startswith("\ufeff"):
            text = text[1:]
        yield 0, Document(name, text)
        return
    for i, line in enumerate(stream):
        line = strip_line_end(line)
        if i == 0 and line.startswith("\ufeff"):
            line = line[1:]
        yield i, Document(f"{name}:{i + 1}", line)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _iter_jsonl(stream: IO[str], name: str, path: str) -> Iterator[tuple[int, Document]]:
    index = 0
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise JSONLineError(
                f"invalid JSON: {exc.msg}",
                file=path,
                line=lineno,
                expected='one JSON object a line with a "text" field',
            ) from None
        except (ValueError, RecursionError) as exc:  # huge integers, Infinity/NaN, deep nesting
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise JSONLineError(
                f"unreadable JSON: {why}",
                file=path,
                line=lineno,
                expected='one JSON object a line with a "text" field',
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise JSONLineError(
                'a record without a "text" string',
                file=path,
                line=lineno,
                expected='{"id": ..., "text": ...}',
            )
        if any(k in data for k in ("tokens", "sentences", "spans")):  # native mosaicner JSONL
            try:
                doc = document_from_json({"id": f"{name}:{lineno}", **data})
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                raise JSONLineError(
                    f"not a mosaicner document ({exc})",
                    file=path,
                    line=lineno,
                    expected="the native JSONL of mosaicner.io.jsonl",
                ) from None
        else:
            meta = {k: v for k, v in data.items() if k not in ("id", "text", "spans", "entities")}
            doc = Document(str(data.get("id", f"{name}:{lineno}")), data["text"], metadata=meta)
        yield index, doc
        index += 1


def iter_documents(
    spec: InputSpec, done: Callable[[int], bool] | None = None
) -> Iterator[tuple[int, Document]]:
    """Yield ``(key, document)`` in input order, skipping keys for which ``done`` is true."""
    if spec.format not in INPUT_FORMATS:
        raise UnknownComponentError.for_name("input format", spec.format, INPUT_FORMATS)
    if spec.path == "-":
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="\n")
        yield from _filter(0, _iter_stream(spec, stdin, "stdin", "-"), done)
        return
    for si, shard in enumerate(spec.shards()):
        yield from _filter(si, iter_shard(spec, shard), done)


def iter_shard(spec: InputSpec, shard: Path) -> Iterator[tuple[int, Document]]:
    """``(index_in_shard, document)`` for one shard file."""
    if spec.format in STREAMING_INPUTS:
        with open_text(shard) as fh:  # exact: no newline translation (offsets index the file)
            yield from _iter_stream(
                spec, fh, shard.stem if spec.unit() == "line" else shard.name, str(shard)
            )
        return
    from mosaicner.io import base

    result = base.read(shard, spec.format)
    yield from enumerate(result.documents)


def _iter_stream(
    spec: InputSpec, stream: IO[str], name: str, path: str
) -> Iterator[tuple[int, Document]]:
    if spec.format == "text":
        yield from _iter_text(stream, name, spec.unit())
    else:
        yield from _iter_jsonl(stream, name, path)


def _filter(
    shard: int, items: Iterable[tuple[int, Document]], done: Callable[[int], bool] | None
) -> Iterator[tuple[int, Document]]:
    for index, doc in items:
        key = make_key(shard, index)
        if done is None or not done(key):
            yield key, doc


def count_documents(spec: InputSpec) -> int | None:
    """Number of documents, when cheap to know (line-based inputs); else ``None``."""
    if spec.path == "-":
        return None
    if spec.format == "text" and spec.unit() == "file":
        return len(spec.shards())
    if spec.format not in STREAMING_INPUTS:
        return None
    n = 0
    for shard in spec.shards():
        with open(shard, "rb") as fh:
            if spec.format == "text":
                n += sum(1 for _ in fh)
            else:
                n += sum(1 for line in fh if line.strip())
    return n


__all__ = [
    "INPUT_FORMATS",
    "KEY_SHIFT",
    "OUTPUT_FORMATS",
    "STREAMING_INPUTS",
    "InputSpec",
    "count_documents",
    "document_from_json",
    "document_to_json",
    "iter_documents",
    "iter_shard",
    "make_key",
]
