"""Streaming, resumable tagging of whole corpora (``mosaicner tag``).

Memory stays flat: documents are read lazily, tagged ``chunk_size`` at a time and written as
they are done.  Resumability: every finished chunk is written to a *parts folder* next to the
output (``OUTPUT.parts/``) as ``chunk-*.jsonl``, atomically (temporary file, fsync, rename,
fsync of the folder).  The first line of each chunk lists the keys of its documents; a re-run
reads those headers, skips finished documents and tags the rest.  When every document is
done, the chunks are merged by key (a lazy k-way merge, so memory stays flat) into the final
output, which is written to a temporary file and renamed into place; then the parts folder is
removed.  A document is therefore written exactly once, whatever moment the process is
killed at.

Document keys are ``shard_index << 32 | index_in_shard``: the input order, stable across runs
and across engines (local or Ray).
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mosaicner.data.model import PRED, Document
from mosaicner.errors import ConfigError, UnknownComponentError
from mosaicner.inference.inputs import (  # re-exported: batch.InputSpec etc.
    INPUT_FORMATS,
    OUTPUT_FORMATS,
    InputSpec,
    count_documents,
    document_from_json,
    document_to_json,
    iter_documents,
    make_key,
)
from mosaicner.inference.textcheck import invalid_text_reason


# ---------------------------------------------------------------------------- chunk store
def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class ChunkStore:
    """The parts folder of one output: atomic chunk files plus a manifest."""

    root: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def open(self, manifest: dict[str, Any]) -> set[int]:
        """Create or reopen the folder; return the keys already done."""
        if self.root.exists():
            if self.manifest_path.exists():
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                if old != manifest:
                    changed = sorted(
                        k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k)
                    )
                    raise ConfigError(
                        f"{self.root} holds an unfinished run with different settings "
                        f"({', '.join(changed)} changed)",
                        expected="the same model, input and formats to resume",
                        hint="re-run with the original settings, or pass --overwrite to start over",
                    )
            for tmp in self.root.glob(".tmp-*"):
                tmp.unlink()
        else:
            self.root.mkdir(parents=True)
        if not self.manifest_path.exists():
            self._atomic_write(self.manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
        self.manifest = manifest
        done: set[int] = set()
        for chunk in self.chunks():
            done.update(self.chunk_keys(chunk))
        return done

    def chunks(self) -> list[Path]:
        return sorted(self.root.glob("chunk-*.jsonl"))

    @staticmethod
    def chunk_keys(path: Path) -> list[int]:
        with open(path, encoding="utf-8") as fh:
            header = json.loads(fh.readline())
        return [int(k) for k in header["keys"]]

    def write_chunk(self, items: Sequence[tuple[int, Document]]) -> Path:
        items = sorted(items, key=lambda kv: kv[0])
        keys = [k for k, _ in items]
        digest = hashlib.sha1(json.dumps(keys).encode()).hexdigest()[:10]
        name = f"chunk-{keys[0]:016x}-{digest}.jsonl"
        lines = [json.dumps({"keys": keys})]
        lines.extend(
            json.dumps({"key": k, "doc": document_to_json(d)}, ensure_ascii=False) for k, d in items
        )
        path = self.root / name
        self._atomic_write(path, "\n".join(lines) + "\n")
        return path

    def _atomic_write(self, path: Path, text: str) -> None:
        tmp = path.with_name(f".tmp-{path.name}")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    def merged(self) -> Iterator[tuple[int, Document]]:
        """Every document of every chunk, ordered by key (lazy k-way merge)."""
        firsts = []
        for chunk in self.chunks():
            with open(chunk, encoding="utf-8") as fh:
                keys = json.loads(fh.readline())["keys"]
            if keys:
                firsts.append((keys[0], chunk))
        firsts.sort()
        heap: list[tuple[int, int, dict[str, Any]]] = []
        readers: dict[int, Iterator[dict[str, Any]]] = {}

        def reader(path: Path) -> Iterator[dict[str, Any]]:
            with open(path, encoding="utf-8") as fh:
                fh.readline()
                for line in fh:
                    if line.strip():
                        yield json.loads(line)

        i = 0
        last = -1
        while heap or i < len(firsts):
            while i < len(firsts) and (not heap or firsts[i][0] <= heap[0][0]):
                it = reader(firsts[i][1])
                readers[i] = it
                rec = next(it, None)
                if rec is not None:
                    heapq.heappush(heap, (int(rec["key"]), i, rec))
                i += 1
            key, ri, rec = heapq.heappop(heap)
            if key == last:
                raise ConfigError(f"document key {key} appears in two chunks of {self.root}")
            last = key
            yield key, document_from_json(rec["doc"])
            nxt = next(readers[ri], None)
            if nxt is not None:
                heapq.heappush(heap, (int(nxt["key"]), ri, nxt))
            else:
                del readers[ri]


# ----------------------------------------------------------------------------------- output
def write_jsonl(docs: Iterable[Document], fh: IO[str]) -> int:
    n = 0
    for doc in docs:
        fh.write(json.dumps(document_to_json(doc), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_output(
    docs: Iterable[Document], path: Path, fmt: str, *, layer: str = PRED
) -> dict[str, int]:
    """Write the final output atomically (temporary path, then rename).

    Returns what the format could not represent (the writer's lossy counts, e.g. nested
    spans in a flat format).
    """
    lossy: dict[str, int] = {}
    if fmt not in OUTPUT_FORMATS:
        raise UnknownComponentError.for_name("output format", fmt, OUTPUT_FORMATS)
    tmp = path.with_name(f".tmp-{path.name}")
    if tmp.is_dir():
        shutil.rmtree(tmp)
    if fmt == "jsonl":
        with open(tmp, "w", encoding="utf-8") as fh:
            write_jsonl(docs, fh)
            fh.flush()
            os.fsync(fh.fileno())
    elif fmt == "spacy":
        import spacy
        from spacy.tokens import DocBin

        from mosaicner.inference.spacy_export import ExportReport, to_spacy

        nlp = spacy.blank("en")
        export = ExportReport()
        bin_ = DocBin(store_user_data=True)
        for doc in docs:
            bin_.add(to_spacy(doc, nlp, layer=layer, report=export))
        bin_.to_disk(tmp)
        if export.dropped:
            lossy["spans left out of doc.ents (kept in doc.spans['mosaicner'])"] = export.dropped
    else:
        from mosaicner.io import base

        report = base.write(docs, tmp, fmt, layer=layer)
        for what, n in sorted(report.lossy.items()):
            lossy[what] = lossy.get(what, 0) + n
    if path.is_dir():
        shutil.rmtree(path)
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return lossy


# ------------------------------------------------------------------------------------- run
@dataclass
class RunSummary:
    total: int = 0  # documents in the output
    tagged: int = 0  # documents tagged by this run
    skipped: int = 0  # documents found done by an earlier run
    chunks: int = 0
    output: str = ""
    stats: dict[str, float] = field(default_factory=dict)
    lossy: dict[str, int] = field(default_factory=dict)  # what the output format dropped
    # documents left out of the output: {"document": id, "reason": ...}, one per document
    rejected: list[dict[str, str]] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]  # (documents, sentences) just finished


def chunked(
    items: Iterable[tuple[int, Document]], size: int
) -> Iterator[list[tuple[int, Document]]]:
    block: list[tuple[int, Document]] = []
    for item in items:
        block.append(item)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def tag_block(
    tagger: Any, block: Sequence[tuple[int, Document]], rejected: list[dict[str, str]]
) -> list[tuple[int, Document]]:
    """Tag a block of documents; documents that cannot be tagged are left out, one by one.

    Texts with lone surrogates (:mod:`.textcheck`) are left out before tagging.  When tagging
    the block fails anyway, each document is tagged alone and those that still fail are left
    out; if every document of a block of several fails alone, the error is raised (the model,
    not the data, is at fault).  Each left-out document is appended to ``rejected`` with its
    reason.
    """
    good: list[tuple[int, Document]] = []
    for key, doc in block:
        reason = invalid_text_reason(doc.text)
        if reason is None:
            good.append((key, doc))
        else:
            rejected.append({"document": doc.id, "reason": reason})
    if not good:
        return []
    try:
        tagged = tagger.tag_documents([d for _, d in good])
        return [(k, d) for (k, _), d in zip(good, tagged, strict=True)]
    except Exception as exc:
        first: Exception = exc
    out: list[tuple[int, Document]] = []
    failed: list[dict[str, str]] = []
    for key, doc in good:
        try:
            (one,) = tagger.tag_documents([doc])
        except Exception as exc:
            failed.append({"document": doc.id, "reason": f"{type(exc).__name__}: {exc}"})
        else:
            out.append((key, one))
    if not out and len(good) > 1:
        raise first
    rejected.extend(failed)
    return out


def parts_dir(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def prepare_run(
    output: Path, manifest: dict[str, Any], *, overwrite: bool = False
) -> tuple[ChunkStore, set[int]]:
    parts = parts_dir(output)
    if overwrite:
        if parts.exists():
            shutil.rmtree(parts)
        if output.is_dir():
            shutil.rmtree(output)
        elif output.exists():
            output.unlink()
    elif output.exists() and not parts.exists():
        raise ConfigError(
            f"{output} already exists",
            hint="pass --overwrite to replace it, or choose another --output",
        )
    store = ChunkStore(parts)
    return store, store.open(manifest)


def finish_run(
    store: ChunkStore, output: Path, fmt: str, *, keep_parts: bool = False
) -> tuple[int, dict[str, int]]:
    """Merge the chunks into ``output``; (documents written, lossy counts of the format)."""
    n = 0

    def docs() -> Iterator[Document]:
        nonlocal n
        for _, doc in store.merged():
            n += 1
            yield doc

    lossy = write_output(docs(), output, fmt)
    if not keep_parts:
        shutil.rmtree(store.root)
    return n, lossy


def tag_corpus(
    tagger: Any,
    spec: InputSpec,
    output: Path,
    out_format: str,
    *,
    chunk_size: int = 64,
    overwrite: bool = False,
    manifest_extra: dict[str, Any] | None = None,
    on_progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunSummary:
    """Tag every document of ``spec`` into ``output`` (local engine; resumable)."""
    manifest = {
        "input": spec.path if spec.path == "-" else str(Path(spec.path).resolve()),
        "from": spec.format,
        "to": out_format,
        "text_unit": spec.unit() if spec.format == "text" else None,
        "fingerprint": spec.fingerprint(),
        **(manifest_extra or {}),
    }
    store, done = prepare_run(output, manifest, overwrite=overwrite)
    summary = RunSummary(skipped=len(done), output=str(output))
    if on_start is not None:
        on_start(len(done))
    for block in chunked(iter_documents(spec, done.__contains__), chunk_size):
        tagged = tag_block(tagger, block, summary.rejected)
        if tagged:
            store.write_chunk(tagged)
            summary.chunks += 1
        summary.tagged += len(tagged)
        if on_progress is not None:
            on_progress(len(block), sum(len(d.sentences) for _, d in tagged))
    summary.total, summary.lossy = finish_run(store, output, out_format)
    stats = getattr(tagger, "stats", None)
    if stats is not None and hasattr(stats, "as_dict"):
        summary.stats = stats.as_dict()
    return summary


def stream_jsonl(tagger: Any, spec: InputSpec, out: IO[str], *, chunk_size: int = 64) -> RunSummary:
    """Tag to a stream (``--output -``): no parts folder, no resume."""
    summary = RunSummary(output="-")
    for block in chunked(iter_documents(spec), chunk_size):
        tagged = tag_block(tagger, block, summary.rejected)
        write_jsonl((d for _, d in tagged), out)
        out.flush()
        summary.tagged += len(tagged)
    summary.total = summary.tagged
    return summary


__all__ = [
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "ChunkStore",
    "InputSpec",
    "RunSummary",
    "count_documents",
    "document_from_json",
    "document_to_json",
    "finish_run",
    "iter_documents",
    "make_key",
    "parts_dir",
    "prepare_run",
    "stream_jsonl",
    "tag_block",
    "tag_corpus",
    "write_output",
]
