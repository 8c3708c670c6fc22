"""PubTator: title and abstract lines followed by tab-separated annotation lines.

::

    12345|t|Aspirin and Reye syndrome
    12345|a|We report ...
    12345<TAB>0<TAB>7<TAB>Aspirin<TAB>Chemical<TAB>D001241
    12345<TAB>CID<TAB>D001241<TAB>D012202
                                                  ← blank line between documents

Conventions:

* **Text and offsets.** Offsets are characters of ``title + "\\n" + abstract``: the abstract
  starts at ``len(title) + 1`` (the PubTator/BioCreative CDR convention: one separator
  character between title and abstract).  The separator is stored as ``"\\n"``; sentences never
  cross it (title and abstract are split separately; a missing abstract gives text = title).
  Passage bounds are kept in ``Document.metadata["passages"]``.
* **Annotations** ``PMID start end text type [id]``: ``id`` (for example ``D001241``,
  ``MESH:D012202``, ``7157;7158``, ``-1``) is kept verbatim in ``attrs["identifier"]``.  The
  stated text is checked against the document text (mismatches counted in ``ReadReport.lossy``).
  Offsets outside the text raise :class:`~mosaicner.errors.OffsetError` with ``FILE:LINE``;
  offsets must be ASCII digits ``0-9`` (at most 15): other digits (``²``, ``٣``, ``３``) raise
  :class:`~mosaicner.errors.FormatError`.
* **Relation lines** (``PMID<TAB>CID<TAB>...``, second field not a number) are kept verbatim in
  ``metadata["pubtator_relations"]``, written back by the writer and counted as lossy on read.
* A line that fits none of these raises :class:`~mosaicner.errors.FormatError`.
* The text is tokenised with :mod:`mosaicner.data.tokenization` and spans aligned
  (``align="strict"`` by default; misalignments counted, never dropped), as for BRAT.

An empty ``|a|`` line (or none) means no abstract: the text is the title alone.

The writer writes ``|t|`` and ``|a|`` lines from the passages in the metadata (for other
documents: the whole text on the ``|t|`` line, line breaks written as spaces and counted, and an
empty ``|a|`` line), one annotation line per span of ``layer`` (a discontinuous span as its
covering span, counted), with the id column when the span has ``attrs["identifier"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mosaicner.data.alignment import AlignMode
from mosaicner.data.model import GOLD, Document, Span, span_sort_key
from mosaicner.errors import FormatError, OffsetError
from mosaicner.io._checks import ShapeError, parse_offset
from mosaicner.io._common import align_spans, count_discontinuous, reject_options, segment
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import write_text_atomic

_TITLE = re.compile(r"^([^|\t]+)\|([ta])\|(.*)$")
_EXPECTED = "PMID|t|title, PMID|a|abstract, or PMID<TAB>start<TAB>end<TAB>text<TAB>type[<TAB>id]"


class _Doc:
    def __init__(self, pmid: str) -> None:
        self.pmid = pmid
        self.title: str | None = None
        self.abstract: str | None = None
        self.mentions: list[tuple[int, int, int, str, str, str | None]] = []  # line, s, e, ...
        self.relations: list[str] = []


def _build(d: _Doc, path: Path, report: ReadReport, align: AlignMode, layer: str) -> Document:
    title = d.title or ""
    passages: list[dict[str, Any]] = [{"type": "title", "offset": 0, "length": len(title)}]
    text = title
    if d.abstract:
        text = title + "\n" + d.abstract
        passages.append({"type": "abstract", "offset": len(title) + 1, "length": len(d.abstract)})
    n = len(text)
    spans: list[Span] = []
    for lineno, s, e, mtext, label, ident in d.mentions:
        if not (0 <= s < e <= n):
            raise OffsetError(
                f"annotation [{s}, {e}) {label!r} lies outside document {d.pmid} "
                f"({n} characters: title + 1 + abstract)",
                file=path,
                line=lineno,
                expected="0 <= start < end <= len(title) + 1 + len(abstract)",
            )
        if text[s:e] != mtext and text[s:e].replace("\n", " ") != mtext:
            report.count_loss("annotation texts that differ from the document (text kept)")
            report.warn(f"{path}:{lineno}: {mtext!r} != {text[s:e]!r} in the text")
        attrs = {"identifier": ident} if ident is not None else {}
        spans.append(Span(s, e, label, attrs=attrs))
    tokens, sentences = segment(text, [(p["offset"], p["offset"] + p["length"]) for p in passages])
    meta: dict[str, Any] = {"passages": passages, "source": str(path)}
    if d.relations:
        meta["pubtator_relations"] = d.relations
        report.count_loss("relation lines (kept only in metadata)", len(d.relations))
    doc = Document(
        d.pmid, text, tokens, sentences, {layer: tuple(sorted(spans, key=span_sort_key))}, meta
    )
    report.sentences += len(sentences)
    report.spans += len(spans)
    return align_spans(doc, report, align)


def read(
    path: str | Path, *, align: AlignMode = "strict", layer: str = GOLD, **options: object
) -> ReadResult:
    """Read a PubTator file; see the module docstring."""
    reject_options(options, "pubtator", ("align", "layer"))
    p = Path(path)
    content = read_text(p)
    report = ReadReport(path=str(p), format="pubtator")
    docs: list[Document] = []
    cur: _Doc | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            docs.append(_build(cur, p, report, align, layer))
        cur = None

    for lineno, raw in enumerate(content.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            finish()
            continue
        m = _TITLE.match(line)
        if m is not None:
            pmid, kind, body = m.groups()
            if cur is not None and cur.pmid != pmid:
                finish()
            if cur is None:
                cur = _Doc(pmid)
            if kind == "t":
                cur.title = body
            else:
                cur.abstract = body
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise FormatError(
                f"line {line[:60]!r} is neither a title/abstract nor an annotation",
                file=p,
                line=lineno,
                expected=_EXPECTED,
            )
        pmid = parts[0]
        if cur is None or cur.pmid != pmid:
            raise FormatError(
                f"annotation for {pmid!r} outside its document "
                f"(current document: {cur.pmid if cur else 'none'})",
                file=p,
                line=lineno,
                expected="annotation lines right after their |t| and |a| lines",
            )
        if parts[1].isnumeric():  # an annotation line (any digits; offsets must be 0-9)
            if len(parts) < 5:
                raise FormatError(
                    f"annotation line has {len(parts)} fields",
                    file=p,
                    line=lineno,
                    expected=_EXPECTED,
                )
            try:
                start = parse_offset(parts[1], "start offset")
                end = parse_offset(parts[2], "end offset")
            except ShapeError as exc:
                raise FormatError(str(exc), file=p, line=lineno, expected=_EXPECTED) from None
            ident = parts[5] if len(parts) > 5 else None
            cur.mentions.append((lineno, start, end, parts[3], parts[4], ident))
        else:
            cur.relations.append(line)
    finish()
    report.documents = len(docs)
    return ReadResult(docs, report)


def write(
    documents: Iterable[Document], path: str | Path, *, layer: str = GOLD, **options: object
) -> WriteReport:
    """Write PubTator; see the module docstring."""
    reject_options(options, "pubtator", ("layer",))
    p = Path(path)
    report = WriteReport(path=str(p), format="pubtator")
    out: list[str] = []
    for doc in documents:
        pmid = doc.id.replace("|", "_").replace("\t", " ") or "0"
        if pmid != doc.id:
            report.count_loss("document ids changed ('|' or tab)")
        passages = doc.metadata.get("passages") if doc.metadata else None
        title, abstract = doc.text, ""
        if (
            isinstance(passages, list)
            and len(passages) == 2
            and passages[0].get("offset") == 0
            and passages[1].get("offset") == passages[0].get("length", -1) + 1
            and passages[1]["offset"] + passages[1].get("length", 0) == len(doc.text)
        ):
            title = doc.text[: passages[0]["length"]]
            abstract = doc.text[passages[1]["offset"] :]
        if "\n" in title or "\n" in abstract or "\r" in title + abstract:
            report.count_loss("line breaks written as spaces")
            title = title.replace("\r", " ").replace("\n", " ")
            abstract = abstract.replace("\r", " ").replace("\n", " ")
        out.append(f"{pmid}|t|{title}\n{pmid}|a|{abstract}\n")
        spans = doc.layer(layer)
        count_discontinuous(spans, report)
        for sp in spans:
            mtext = doc.text[sp.start : sp.end].replace("\n", " ").replace("\t", " ")
            row = [pmid, str(sp.start), str(sp.end), mtext, sp.label]
            if "identifier" in sp.attrs:
                row.append(str(sp.attrs["identifier"]))
            out.append("\t".join(row) + "\n")
        for rel in doc.metadata.get("pubtator_relations", ()) if doc.metadata else ():
            out.append(str(rel) + "\n")
        out.append("\n")
        report.documents += 1
        report.spans += len(spans)
    write_text_atomic(p, "".join(out))
    return report


__all__ = ["read", "write"]
