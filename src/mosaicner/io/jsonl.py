"""Native mosaicner JSON Lines: one :class:`~mosaicner.data.model.Document` per line, lossless.

Each line is an object::

    {"id": "doc1",
     "text": "IL - 2 binds",
     "tokens": [[0, 2], [3, 4], [5, 6], [7, 12]],          # [start, end] or [start, end, text]
     "sentences": [[0, 12, 0, 4]],                         # [start, end, token_start, token_end]
     "spans": {"gold": [{"start": 0, "end": 6, "label": "protein",
                         "token_start": 0, "token_end": 3,
                         "score": 0.93, "attrs": {"identifier": "P60568"},
                         "fragments": [[0, 2], [5, 6]]}]},
     "metadata": {...}}

All offsets are half-open; ``start``/``end`` are characters, ``token_start``/``token_end`` tokens.
A token is written as ``[start, end]`` when its text is ``text[start:end]`` (always the case for
the readers of this package) and as ``[start, end, text]`` otherwise.  Optional span fields
(``token_start``/``token_end`` when unknown, ``score``, ``attrs``, ``fragments``) are left out
when empty.  Layers and spans keep their order, so ``read(write(docs)) == docs`` and every
non-compared field (score, attrs, metadata) comes back too.  Metadata must be JSON
serialisable; values that are not are written with ``str()`` and counted as lossy.

Every field is checked before use (:mod:`mosaicner.io._checks`): offsets must be JSON integers
(not floats, booleans, strings or null) inside the text, token offsets inside the tokens,
sentences ``[start, end, token_start, token_end]`` inside both; ``attrs`` keys are strings and
their values any JSON (e.g. the tagger's provenance list ``heads``); ``score`` is a finite
number; integers beyond Python's 4,300-digit limit, ``Infinity``/``NaN``, nesting too deep to
parse and lone UTF-16 surrogates are refused.  A wrong shape raises
:class:`~mosaicner.errors.JSONLineError`, an offset outside the document
:class:`~mosaicner.errors.OffsetError`, both with ``FILE:LINE``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mosaicner.data.model import Document, Sentence, Span, Token
from mosaicner.errors import JSONLineError, MosaicnerError, OffsetError
from mosaicner.io._checks import (
    MAX_INDEX,
    MAX_JSON_DEPTH,
    OutOfRange,
    ShapeError,
    as_dict,
    as_int,
    as_list,
    as_str,
    depth_of,
    parse_json,
)
from mosaicner.io._common import reject_options
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import atomic_open

_SHAPE = 'a JSON object with "id", "text" and optional "tokens", "sentences", "spans", "metadata"'


def span_to_json(sp: Span) -> dict[str, Any]:
    obj: dict[str, Any] = {"start": sp.start, "end": sp.end, "label": sp.label}
    if sp.token_start is not None:
        obj["token_start"] = sp.token_start
    if sp.token_end is not None:
        obj["token_end"] = sp.token_end
    if sp.score is not None:
        obj["score"] = sp.score
    if sp.attrs:
        obj["attrs"] = dict(sp.attrs)
    if sp.fragments:
        obj["fragments"] = [list(f) for f in sp.fragments]
    return obj


def span_from_json(obj: Any, n_chars: int = MAX_INDEX, n_tokens: int = MAX_INDEX) -> Span:
    """A span from its JSON object; types and ranges are checked (ShapeError, a ValueError).

    ``n_chars``/``n_tokens`` bound the character and token offsets (the document's lengths).
    """
    obj = as_dict(obj, "a span")
    for key in ("start", "end", "label"):
        if key not in obj:
            raise ShapeError(f"missing span field {key!r}")
    start = as_int(obj["start"], "span 'start'", 0, n_chars)
    end = as_int(obj["end"], "span 'end'", 0, n_chars)
    label = as_str(obj["label"], "span 'label'")
    ts = obj.get("token_start")
    te = obj.get("token_end")
    ts_i = None if ts is None else as_int(ts, "span 'token_start'", 0, n_tokens)
    te_i = None if te is None else as_int(te, "span 'token_end'", 0, n_tokens)
    if ts_i is not None and te_i is not None and ts_i >= te_i:
        raise ShapeError(f"span token interval [{ts_i}, {te_i}) is empty or reversed")
    score = obj.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise ShapeError("span 'score' is not a number")
        score = float(score)
        if not math.isfinite(score):
            raise ShapeError("span 'score' is not finite")
    attrs_raw = obj.get("attrs")
    attrs = {
        as_str(k, "an attrs key"): v  # any JSON value (parse_json bounded numbers and depth)
        for k, v in (as_dict(attrs_raw, "span 'attrs'") if attrs_raw is not None else {}).items()
    }
    frags_raw = obj.get("fragments")
    frags: list[tuple[int, int]] = []
    for f in as_list(frags_raw, "span 'fragments'") if frags_raw is not None else []:
        pair = as_list(f, "a fragment")
        if len(pair) != 2:
            raise ShapeError("a fragment is not a [start, end] pair")
        a = as_int(pair[0], "fragment start", 0, n_chars)
        b = as_int(pair[1], "fragment end", 0, n_chars)
        if a >= b:
            raise ShapeError(f"fragment [{a}, {b}) is empty or reversed")
        frags.append((a, b))
    return Span(start, end, label, ts_i, te_i, score, attrs, tuple(frags))


def document_to_json(doc: Document) -> dict[str, Any]:
    text = doc.text
    return {
        "id": doc.id,
        "text": text,
        "tokens": [
            [t.start, t.end] if text[t.start : t.end] == t.text else [t.start, t.end, t.text]
            for t in doc.tokens
        ],
        "sentences": [[s.start, s.end, s.token_start, s.token_end] for s in doc.sentences],
        "spans": {layer: [span_to_json(s) for s in spans] for layer, spans in doc.spans.items()},
        "metadata": dict(doc.metadata),
    }


def document_from_json(obj: Any) -> Document:
    """A document from its JSON object; every field's type and range is checked first.

    Wrong shapes raise :class:`~mosaicner.io._checks.ShapeError` (a ``ValueError``), offsets
    that break the document's invariants :class:`~mosaicner.errors.OffsetError`.
    """
    obj = as_dict(obj, "the record")
    for key in ("id", "text"):
        if key not in obj:
            raise ShapeError(f"missing field {key!r}")
    raw_id = obj["id"]
    doc_id = str(raw_id) if type(raw_id) is int else as_str(raw_id, "field 'id'")
    text = as_str(obj["text"], "field 'text'")
    n = len(text)
    tokens: list[Token] = []
    raw_tokens = obj.get("tokens")
    for i, t in enumerate(as_list(raw_tokens, "field 'tokens'") if raw_tokens is not None else []):
        t = as_list(t, f"token {i}")
        if len(t) not in (2, 3):
            raise ShapeError(f"token {i} is not [start, end] or [start, end, text]")
        a = as_int(t[0], f"token {i} start", 0, n)
        b = as_int(t[1], f"token {i} end", 0, n)
        tokens.append(Token(as_str(t[2], f"token {i} text") if len(t) == 3 else text[a:b], a, b))
    n_tok = len(tokens)
    sentences: list[Sentence] = []
    raw_sents = obj.get("sentences")
    for i, s in enumerate(as_list(raw_sents, "field 'sentences'") if raw_sents is not None else []):
        s = as_list(s, f"sentence {i}")
        if len(s) != 4:
            raise ShapeError(f"sentence {i} is not [start, end, token_start, token_end]")
        a, b = as_int(s[0], f"sentence {i} start", 0, n), as_int(s[1], f"sentence {i} end", 0, n)
        c = as_int(s[2], f"sentence {i} token_start", 0, n_tok)
        d = as_int(s[3], f"sentence {i} token_end", 0, n_tok)
        if a > b or c > d:
            raise ShapeError(f"sentence {i} [{a}, {b}) tokens [{c}, {d}) is reversed")
        sentences.append(Sentence(a, b, c, d))
    raw_spans = obj.get("spans")
    spans = {
        as_str(layer, "a layer name"): tuple(
            span_from_json(sp, n, n_tok) for sp in as_list(items, f"layer {layer!r}")
        )
        for layer, items in (
            as_dict(raw_spans, "field 'spans'") if raw_spans is not None else {}
        ).items()
    }
    raw_meta = obj.get("metadata")
    metadata = as_dict(raw_meta, "field 'metadata'") if raw_meta is not None else {}
    if depth_of(metadata) > MAX_JSON_DEPTH:
        raise ShapeError(f"field 'metadata' nests deeper than {MAX_JSON_DEPTH} levels")
    return Document(doc_id, text, tuple(tokens), tuple(sentences), spans, dict(metadata))


def read(path: str | Path, *, layer: str | None = None, **options: object) -> ReadResult:
    """Read native JSONL; see the module docstring (``layer`` is accepted and ignored: the
    file names its own layers)."""
    reject_options(options, "jsonl", ("layer",))
    p = Path(path)
    text = read_text(p)
    report = ReadReport(path=str(p), format="jsonl")
    docs: list[Document] = []
    for lineno, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        obj = parse_json(raw, file=p, line=lineno, expected=_SHAPE)
        try:
            doc = document_from_json(obj)
        except MosaicnerError as exc:  # offsets outside the text, ...
            exc.file, exc.line = str(p), lineno
            exc.args = (exc.render(),)
            raise
        except OutOfRange as exc:
            raise OffsetError(
                f"offsets outside the document: {exc}",
                file=p,
                line=lineno,
                expected="0 <= start < end <= len(text), token offsets within the tokens",
            ) from None
        except ShapeError as exc:
            raise JSONLineError(
                f"not a mosaicner document ({exc})", file=p, line=lineno, expected=_SHAPE
            ) from None
        docs.append(doc)
        report.sentences += len(doc.sentences)
        report.spans += sum(len(v) for v in doc.spans.values())
    report.documents = len(docs)
    return ReadResult(docs, report)


def write(
    documents: Iterable[Document],
    path: str | Path,
    *,
    layer: str | None = None,
    **options: object,
) -> WriteReport:
    """Write native JSONL (every field, every layer; ``layer`` is accepted and ignored)."""
    reject_options(options, "jsonl", ("layer",))
    p = Path(path)
    report = WriteReport(path=str(p), format="jsonl")
    lossy_meta = 0

    def fallback(o: object) -> str:
        nonlocal lossy_meta
        lossy_meta += 1
        return str(o)

    with atomic_open(p) as fh:
        for doc in documents:
            fh.write(json.dumps(document_to_json(doc), ensure_ascii=False, default=fallback))
            fh.write("\n")
            report.documents += 1
            report.spans += sum(len(v) for v in doc.spans.values())
    if lossy_meta:
        report.count_loss("metadata values written as strings", lossy_meta)
    return report


__all__ = [
    "document_from_json",
    "document_to_json",
    "read",
    "span_from_json",
    "span_to_json",
    "write",
]
