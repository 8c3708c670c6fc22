"""SRU-NER action files: one sentence a line, ``word word ... ||| ACTION ACTION ...``.

This is the "simple" (pre-tokenised) mode of the released SRU-NER code: the words are split on
whitespace, and the actions are ``OUT`` (a word no mention covers), ``SHIFT`` (a word inside a
mention), ``TRANSITION(T)`` and ``REDUCE(T)`` in the order of :mod:`mosaicner.transitions`.  A
line ``doc-sep`` (optionally followed by a document id: ``doc-sep MEDLINE:123``) starts a new
document; sentences before the first ``doc-sep`` form a document of their own.

Tokens that contain a space (GENIA has a few, such as ``24R,25 (OH)2D3``) are written with
each space replaced by ``␣`` (OPEN BOX, option ``space_escape``), which the reader turns back
into a space, so the round trip is exact; a token holding that character itself, any other
whitespace, or a label with whitespace or parentheses cannot be written (the writer raises).
Mentions of one type that cross cannot be written; the writer drops them (counted in the
report) or raises with ``on_crossing="raise"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from mosaicner.data.alignment import align_document
from mosaicner.data.model import GOLD, Document
from mosaicner.data.tokenization import split_sentences, tokenize
from mosaicner.errors import FormatError
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import write_text_atomic
from mosaicner.transitions import EncodeReport, decode, encode, format_actions, parse_actions

SEPARATOR = " ||| "
DOC_SEP = "doc-sep"
SPACE_ESCAPE = "\u2423"


def _doc_id(line: str, path: Path, k: int) -> str | None:
    stripped = line.strip()
    if "|||" in stripped:
        return None
    if stripped == DOC_SEP:
        return f"{path.stem}-{k}"
    if stripped.startswith(DOC_SEP) and stripped[len(DOC_SEP)].isspace():
        return stripped[len(DOC_SEP) :].strip()
    return None


def read(
    path: Path, *, layer: str = GOLD, space_escape: str | None = SPACE_ESCAPE, **_: Any
) -> ReadResult:
    """Read an action file into documents (spans in layer ``layer``)."""
    text = read_text(path)
    report = ReadReport(path=str(path), format="actions")
    documents: list[Document] = []
    doc_id = f"{path.stem}-0"
    sents: list[list[str]] = []
    spans: list[list[tuple[int, int, str]]] = []
    seen_ids: set[str] = set()

    def flush() -> None:
        nonlocal doc_id
        if not sents:
            return
        uid = doc_id
        n = 1
        while uid in seen_ids:
            n += 1
            uid = f"{doc_id}#{n}"
        seen_ids.add(uid)
        documents.append(Document.from_sentences(uid, sents, spans, layer=layer))
        report.sentences += len(sents)
        report.spans += sum(len(s) for s in spans)
        sents.clear()
        spans.clear()

    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        new_id = _doc_id(line, path, len(documents) + (1 if sents else 0))
        if new_id is not None:
            flush()
            doc_id = new_id
            continue
        words_part, sep, acts_part = line.rpartition(SEPARATOR.strip())
        if not sep:
            raise FormatError(
                "no ' ||| ' separator",
                file=path,
                line=lineno,
                expected="words ||| actions",
            )
        words = words_part.split()
        if space_escape:
            words = [w.replace(space_escape, " ") for w in words]
        try:
            actions = parse_actions(acts_part)
            local = decode(actions, len(words))
        except ValueError as exc:
            raise FormatError(
                str(exc),
                file=path,
                line=lineno,
                expected="SHIFT, OUT, TRANSITION(T) or REDUCE(T)",
            ) from None
        except FormatError as exc:
            raise FormatError(
                exc.message, file=path, line=lineno, expected=exc.expected, hint=exc.hint
            ) from None
        sents.append(words)
        spans.append(local)
    flush()
    report.documents = len(documents)
    return ReadResult(documents, report)


def _writable(word: str, space_escape: str | None) -> bool:
    if not word:
        return False
    if space_escape:
        if space_escape in word:
            return False
        word = word.replace(" ", "")
    return not any(c.isspace() for c in word)


def _tokenised(doc: Document, report: WriteReport) -> Document:
    if doc.tokens:
        return doc
    tokens = tokenize(doc.text)
    doc = replace(doc, tokens=tuple(tokens), sentences=tuple(split_sentences(doc.text, tokens)))
    aligned, align = align_document(doc, "expand")
    if align.adjusted:
        report.count_loss("spans moved to token boundaries (expand)", align.adjusted)
    if align.failed:
        report.count_loss("spans not aligned to tokens (dropped)", align.failed)
    return aligned


def write(
    documents: Iterable[Document],
    path: Path,
    *,
    layer: str = GOLD,
    doc_ids: bool = True,
    on_crossing: Literal["raise", "drop"] = "drop",
    space_escape: str | None = SPACE_ESCAPE,
    **_: Any,
) -> WriteReport:
    """Write documents as an action file (one ``doc-sep`` line before each document)."""
    report = WriteReport(path=str(path), format="actions")
    lines: list[str] = []
    for doc in documents:
        doc = _tokenised(doc, report)
        report.documents += 1
        lines.append(f"{DOC_SEP} {doc.id}" if doc_ids and doc.id else DOC_SEP)
        n_layer = len(doc.layer(layer))
        n_seen = 0
        for ex in doc.sentence_examples(layer):
            n_seen += len(ex.spans)
            if not ex.words:
                continue
            bad = next((w for w in ex.words if not _writable(w, space_escape)), None)
            if bad is not None:
                raise FormatError(
                    f"document {doc.id!r}: token {bad!r} cannot be written",
                    file=path,
                    expected="tokens without whitespace other than single spaces",
                )
            words = [w.replace(" ", space_escape) if space_escape else w for w in ex.words]
            for _s, _e, label in ex.spans:
                if not label or any(c.isspace() or c in "()" for c in label):
                    raise FormatError(
                        f"document {doc.id!r}: label {label!r} cannot be written as an action",
                        file=path,
                        expected="labels without whitespace or parentheses",
                    )
            enc = EncodeReport()
            actions = encode(len(ex.words), ex.spans, on_crossing=on_crossing, report=enc)
            if enc.crossing_dropped:
                report.count_loss("crossing spans of one type (dropped)", len(enc.crossing_dropped))
            if enc.duplicates:
                report.count_loss("duplicate spans (merged)", enc.duplicates)
            report.spans += len(ex.spans) - len(enc.crossing_dropped) - enc.duplicates
            lines.append(" ".join(words) + SEPARATOR + format_actions(actions))
        if n_seen < n_layer:
            report.count_loss(
                "spans without token offsets or crossing a sentence boundary (dropped)",
                n_layer - n_seen,
            )
    write_text_atomic(path, "\n".join(lines) + "\n")
    return report


__all__ = ["read", "write"]
