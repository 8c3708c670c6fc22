"""GENIA nested JSON Lines (the CNN-NER / yhcc processing of GENIA 3.02).

One sentence per line::

    {"tokens": [...], "doc_id": "MEDLINE:91125342", "sent_id": "MEDLINE:91125342-0",
     "entity_mentions": [{"start": 0, "end": 3, "entity_type": "protein", "text": "..."}]}

``start`` is the first token (inclusive) and ``end`` the token after the last (exclusive), so a
mention is the half-open token interval ``[start, end)`` of its sentence.

Conventions:

* **Documents.** Consecutive lines with the same ``doc_id`` form one document.  A line without
  ``doc_id`` is a document of its own, named ``<file stem>-<k>`` (``k`` = 0-based line index
  among the sentences).  A ``doc_id`` that comes back after another one starts a new document
  with the same id (reported as a warning).
* **Text.** The document text is the tokens joined by single spaces, sentences joined by a
  single space (:meth:`Document.from_sentences`); the original ``sent_id`` values are kept in
  ``Document.metadata["sent_ids"]``.
* **Nesting is kept**: every mention becomes a span, including nested mentions and the same
  interval carrying two labels.  ``text`` is checked against the tokens; a mismatch is
  reported (``ReadReport.lossy``), the tokens win.
* Lines that are blank are ignored; a line that is not a JSON object with ``tokens`` raises
  :class:`~mosaicner.errors.JSONLineError` (``FILE:LINE``); a mention outside its sentence
  raises :class:`~mosaicner.errors.OffsetError`.

The writer writes the same fields in the same order, mentions in post-order (inner mentions
first, then left to right; labels of one interval alphabetically), which reproduces the shared
GENIA-nested files byte for byte except for the order of the few intervals with two labels.
``sent_id`` comes from the metadata when it matches the sentences, else ``<doc_id>-<k>``.
Spans that cannot be written (no token offsets, crossing a sentence boundary) are counted in
``WriteReport.lossy``; a discontinuous span is written as its covering span (counted too).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mosaicner.data.model import GOLD, Document
from mosaicner.errors import JSONLineError, OffsetError
from mosaicner.io._checks import parse_json
from mosaicner.io._common import (
    count_discontinuous,
    ensure_tokens,
    reject_options,
    sentence_spans,
)
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import write_text_atomic

_SHAPE = (
    'a JSON object {"tokens": [str, ...], "entity_mentions": [{"start", "end", "entity_type"}]}'
)


def _bad(p: Path, lineno: int, message: str) -> JSONLineError:
    return JSONLineError(message, file=p, line=lineno, expected=_SHAPE)


def read(path: str | Path, *, layer: str = GOLD, **options: object) -> ReadResult:
    """Read a GENIA nested JSONL file; see the module docstring."""
    reject_options(options, "genia-jsonl", ("layer",))
    p = Path(path)
    text = read_text(p)
    report = ReadReport(path=str(p), format="genia-jsonl")
    documents: list[Document] = []
    seen_ids: set[str] = set()

    cur_id: str | None = None
    sents: list[list[str]] = []
    spans: list[list[tuple[int, int, str]]] = []
    sent_ids: list[str] = []

    def flush() -> None:
        nonlocal sents, spans, sent_ids
        if cur_id is not None and sents:
            if cur_id in seen_ids:
                report.warn(f"{p}: document {cur_id!r} appears in more than one run of lines")
            seen_ids.add(cur_id)
            documents.append(
                Document.from_sentences(
                    cur_id,
                    sents,
                    spans,
                    layer=layer,
                    metadata={"sent_ids": sent_ids, "source": str(p)},
                )
            )
            report.sentences += len(sents)
        sents, spans, sent_ids = [], [], []

    k = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        obj: Any = parse_json(raw, file=p, line=lineno, expected=_SHAPE)
        if not isinstance(obj, dict):
            raise _bad(p, lineno, f"a JSON {type(obj).__name__}, not an object")
        tokens = obj.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
            raise _bad(p, lineno, "field 'tokens' is missing or is not a list of non-empty strings")
        mentions = obj.get("entity_mentions", [])
        if not isinstance(mentions, list):
            raise _bad(p, lineno, "field 'entity_mentions' is not a list")
        doc_id = obj.get("doc_id")
        if doc_id is None:
            doc_id_s = f"{p.stem}-{k}"
        elif isinstance(doc_id, str | int):
            doc_id_s = str(doc_id)
        else:
            raise _bad(p, lineno, "field 'doc_id' is not a string")
        sent_id = obj.get("sent_id")
        k += 1
        if not tokens:
            report.skipped += 1
            report.warn(f"{p}:{lineno}: sentence without tokens skipped")
            continue
        local: list[tuple[int, int, str]] = []
        n = len(tokens)
        for m in mentions:
            if not isinstance(m, dict):
                raise _bad(p, lineno, "a mention is not an object")
            s, e, t = m.get("start"), m.get("end"), m.get("entity_type")
            if type(s) is not int or type(e) is not int or not isinstance(t, str) or not t:
                raise _bad(
                    p, lineno, f"mention {m!r} lacks int 'start'/'end' or string 'entity_type'"
                )
            if not (0 <= s < e <= n):
                raise OffsetError(
                    f"mention [{s}, {e}) {t!r} lies outside the sentence of {n} tokens",
                    file=p,
                    line=lineno,
                    expected="0 <= start < end <= len(tokens) (end exclusive)",
                )
            mtext = m.get("text")
            if mtext is not None and mtext != " ".join(tokens[s:e]):
                report.count_loss("mention texts that differ from their tokens (tokens kept)")
                report.warn(f"{p}:{lineno}: mention text {mtext!r} != tokens {tokens[s:e]!r}")
            local.append((s, e, t))
        if doc_id_s != cur_id:
            flush()
            cur_id = doc_id_s
        sents.append(tokens)
        spans.append(local)
        sent_ids.append(str(sent_id) if sent_id is not None else f"{doc_id_s}-{len(sents) - 1}")
        report.spans += len(local)
    flush()
    report.documents = len(documents)
    return ReadResult(documents, report)


def write(
    documents: Iterable[Document], path: str | Path, *, layer: str = GOLD, **options: object
) -> WriteReport:
    """Write documents as GENIA nested JSONL; see the module docstring."""
    reject_options(options, "genia-jsonl", ("layer",))
    p = Path(path)
    report = WriteReport(path=str(p), format="genia-jsonl")
    out: list[str] = []
    for doc in documents:
        doc = ensure_tokens(doc, report)
        count_discontinuous(doc.layer(layer), report)
        groups = [(s, sp) for s, sp in sentence_spans(doc, layer, report)]
        meta_ids = doc.metadata.get("sent_ids") if doc.metadata else None
        use_meta = isinstance(meta_ids, list | tuple) and len(meta_ids) == len(groups)
        for k, (sent, spans) in enumerate(groups):
            if sent.token_end <= sent.token_start:
                continue
            words = [t.text for t in doc.tokens[sent.token_start : sent.token_end]]
            local = sorted(
                {
                    (s.token_start - sent.token_start, s.token_end - sent.token_start, s.label)
                    for s in spans
                    if s.token_start is not None and s.token_end is not None
                },
                key=lambda m: (m[1], -m[0], m[2]),
            )
            if len(local) < len(spans):
                report.count_loss("duplicate spans (same interval and label) merged",
                                  len(spans) - len(local))  # fmt: skip
            sid = str(meta_ids[k]) if use_meta and meta_ids is not None else f"{doc.id}-{k}"
            obj = {
                "tokens": words,
                "doc_id": doc.id,
                "sent_id": sid,
                "entity_mentions": [
                    {"start": s, "end": e, "entity_type": t, "text": " ".join(words[s:e])}
                    for s, e, t in local
                ],
            }
            out.append(json.dumps(obj, ensure_ascii=False))
            report.spans += len(local)
        report.documents += 1
    write_text_atomic(p, "".join(line + "\n" for line in out))
    return report


__all__ = ["read", "write"]
