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
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mosaicner.data.model import Document, Sentence, Span, Token
from mosaicner.errors import JSONLineError, MosaicnerError
from mosaicner.io._common import reject_options
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text

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


def span_from_json(obj: Any) -> Span:
    if not isinstance(obj, dict):
        raise TypeError("a span is not an object")
    frags = obj.get("fragments") or ()
    return Span(
        int(obj["start"]),
        int(obj["end"]),
        str(obj["label"]),
        None if obj.get("token_start") is None else int(obj["token_start"]),
        None if obj.get("token_end") is None else int(obj["token_end"]),
        None if obj.get("score") is None else float(obj["score"]),
        {str(k): v for k, v in (obj.get("attrs") or {}).items()},
        tuple((int(a), int(b)) for a, b in frags),
    )


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
    if not isinstance(obj, dict):
        raise TypeError(f"a JSON {type(obj).__name__}, not an object")
    text = obj["text"]
    if not isinstance(text, str):
        raise TypeError("field 'text' is not a string")
    tokens = tuple(
        Token(t[2] if len(t) > 2 else text[t[0] : t[1]], int(t[0]), int(t[1]))
        for t in obj.get("tokens") or ()
    )
    sentences = tuple(
        Sentence(int(a), int(b), int(c), int(d)) for a, b, c, d in obj.get("sentences") or ()
    )
    spans = {
        str(layer): tuple(span_from_json(s) for s in items)
        for layer, items in (obj.get("spans") or {}).items()
    }
    return Document(str(obj["id"]), text, tokens, sentences, spans, dict(obj.get("metadata") or {}))


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
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise JSONLineError(
                f"not valid JSON ({exc.msg} at column {exc.colno})",
                file=p,
                line=lineno,
                expected=_SHAPE,
            ) from None
        try:
            doc = document_from_json(obj)
        except MosaicnerError as exc:  # offsets outside the text, ...
            exc.file, exc.line = str(p), lineno
            exc.args = (exc.render(),)
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            missing = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise JSONLineError(
                f"not a mosaicner document ({missing})", file=p, line=lineno, expected=_SHAPE
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

    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8") as fh:
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
