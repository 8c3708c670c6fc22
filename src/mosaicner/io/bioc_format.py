"""BioC XML and BioC JSON, through the ``bioc`` package (``bioc.biocxml``, ``bioc.biocjson``).

``flavour`` is ``"bioc-xml"`` or ``"bioc-json"`` (the format registry passes it).

Reading:

* Each BioC document becomes a :class:`Document` with the BioC id.  Passage offsets are
  document-level character offsets; the text places every passage text at its offset, gaps
  filled with ``"\\n"`` (PubTator-derived BioC: abstract at ``len(title) + 1``).  Passage bounds
  and types are kept in ``metadata["passages"]`` (``type``/``offset``/``length``), the document
  infons in ``metadata["infons"]``.
* Annotations (passage, sentence or document level): the label is the ``type`` infon (also
  ``Type``/``entity_type``/``class``; an annotation without one is skipped and counted); the
  other infons go to ``attrs`` (``identifier``, ``MESH``, ...; a ``score`` infon becomes
  ``Span.score``).  Several locations make a discontinuous span (``Span.fragments``).  A
  location outside the text raises :class:`~mosaicner.errors.OffsetError`; an annotation text
  that differs from the located text is counted in ``ReadReport.lossy``.
* Tokens: a document written by mosaicner carries the infon ``mosaicner:tokenization``:
  ``whitespace`` (tokens are the whitespace-separated runs of the text, as for documents read
  from CoNLL/GENIA), ``mosaicner`` (the rule tokenizer of :mod:`mosaicner.data.tokenization`) or
  ``offsets`` (token offsets listed in the infon ``mosaicner:tokens`` as ``start-end`` pairs).
  Sentences come from BioC sentence elements (offset + text length).  Without the infon the text
  is tokenised with the rule tokenizer and split into sentences (never across passages), and
  spans are aligned (``align="strict"`` by default); misalignments are counted, never dropped.
  Relations are not modelled and are counted as lossy.
* Hostile input: an XML file whose root element is not ``<collection>`` is refused
  (:class:`~mosaicner.errors.FormatError` with the line of the root element; it used to read
  as 0 documents).  BioC JSON is checked field by field before use (offsets are integers,
  infons are scalars, texts are strings; a wrong type raises ``FormatError`` naming the path,
  e.g. ``documents[0].passages[1].offset``).  Gaps between passages are filled with at most
  ``MAX_GAP`` characters per document (an offset far beyond the text raises ``OffsetError``
  instead of allocating it).

Writing: one collection; each document as passages (from ``metadata["passages"]`` when they
fit the text, else one passage over the whole text), sentence elements with offset and text,
passage-level annotations (``type`` infon + every attr as an infon, ``score`` as an infon,
one location per fragment, text = fragments joined by one space).  So CoNLL → BioC → CoNLL
gives back the same tokens, sentences and spans.  XML 1.0 cannot hold control characters other
than tab, LF and CR: the XML writer refuses documents holding them
(:class:`~mosaicner.errors.UnrepresentableError`, naming the document and the code point).
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bioc
from bioc import biocjson, biocxml
from bioc.biocjson.decoder import parse_collection

from mosaicner.data.alignment import AlignMode
from mosaicner.data.model import GOLD, Document, Sentence, Span, Token, span_sort_key
from mosaicner.data.tokenization import tokenize
from mosaicner.errors import (
    ConfigError,
    FormatError,
    MosaicnerError,
    OffsetError,
    UnrepresentableError,
)
from mosaicner.io._checks import (
    ShapeError,
    as_dict,
    as_int,
    as_list,
    as_str,
    parse_json,
    parse_offset,
    scalar_str,
)
from mosaicner.io._common import align_spans, reject_options, segment
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.detect import check_bioc_xml_root
from mosaicner.io.files import write_text_atomic

FLAVOURS = ("bioc-xml", "bioc-json")
#: filler characters (between passages) a document may need; larger gaps are an error
MAX_GAP = 1_000_000
#: characters XML 1.0 cannot hold (the BioC XML writer refuses them)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
TOKENIZATION = "mosaicner:tokenization"
TOKENS = "mosaicner:tokens"
_TYPE_KEYS = ("type", "Type", "entity_type", "class")
_WS = re.compile(r"\S+")


def _check_flavour(flavour: str) -> str:
    if flavour not in FLAVOURS:
        raise ConfigError(f"unknown BioC flavour {flavour!r}", expected=" | ".join(FLAVOURS))
    return flavour


def _check_json(obj: Any) -> None:
    """Check the types of every field of a BioC JSON collection that the reader uses."""

    def infons(o: dict[str, Any], where: str) -> None:
        for k, v in as_dict(o.get("infons", {}), f"{where}.infons").items():
            if v is not None:
                scalar_str(v, f"{where}.infons[{k!r}]")

    def text(o: dict[str, Any], where: str) -> None:
        if o.get("text") is not None:
            as_str(o["text"], f"{where}.text")

    def annotations(o: dict[str, Any], where: str) -> None:
        for i, a in enumerate(as_list(o.get("annotations", []), f"{where}.annotations")):
            w = f"{where}.annotations[{i}]"
            a = as_dict(a, w)
            if a.get("id") is not None:
                scalar_str(a["id"], f"{w}.id")
            infons(a, w)
            text(a, w)
            for j, loc in enumerate(as_list(a.get("locations", []), f"{w}.locations")):
                loc = as_dict(loc, f"{w}.locations[{j}]")
                as_int(loc.get("offset"), f"{w}.locations[{j}].offset")
                as_int(loc.get("length"), f"{w}.locations[{j}].length")
        for i, r in enumerate(as_list(o.get("relations", []), f"{where}.relations")):
            r = as_dict(r, f"{where}.relations[{i}]")
            infons(r, f"{where}.relations[{i}]")
            as_list(r.get("nodes", []), f"{where}.relations[{i}].nodes")

    coll = as_dict(obj, "the collection")
    infons(coll, "collection")
    for d, doc in enumerate(as_list(coll.get("documents"), "collection.documents")):
        w = f"documents[{d}]"
        doc = as_dict(doc, w)
        if doc.get("id") is not None:
            scalar_str(doc["id"], f"{w}.id")
        infons(doc, w)
        annotations(doc, w)
        for i, ps in enumerate(as_list(doc.get("passages", []), f"{w}.passages")):
            wp = f"{w}.passages[{i}]"
            ps = as_dict(ps, wp)
            as_int(ps.get("offset"), f"{wp}.offset")
            infons(ps, wp)
            text(ps, wp)
            annotations(ps, wp)
            for j, sent in enumerate(as_list(ps.get("sentences", []), f"{wp}.sentences")):
                ws = f"{wp}.sentences[{j}]"
                sent = as_dict(sent, ws)
                as_int(sent.get("offset"), f"{ws}.offset")
                infons(sent, ws)
                text(sent, ws)
                annotations(sent, ws)


def _load(p: Path, flavour: str) -> bioc.BioCCollection:
    content = read_text(p)
    if flavour == "bioc-xml":
        check_bioc_xml_root(p, content)
    else:
        obj = parse_json(
            content, file=p, line=None, expected="a BioC JSON collection", error=FormatError
        )
        try:
            _check_json(obj)
        except ShapeError as exc:
            raise FormatError(
                f"not a BioC JSON collection: {exc}", file=p, expected="a BioC JSON collection"
            ) from None
    try:
        if flavour == "bioc-xml":
            return biocxml.loads(content)
        return parse_collection(obj)
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(
            f"not a BioC collection ({type(exc).__name__}: {exc})",
            file=p,
            expected=f"a {flavour.upper()} collection",
            hint="check the flavour (bioc-xml or bioc-json)",
        ) from None
    except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
        line = getattr(exc, "lineno", None) or getattr(exc, "position", (None,))[0]
        line = line if isinstance(line, int) else None
        raise FormatError(
            f"not well-formed XML ({exc})", file=p, line=line, expected="a BioC XML collection"
        ) from None


def _label(infons: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    label = None
    attrs: dict[str, str] = {}
    for k, v in infons.items():
        if label is None and k in _TYPE_KEYS and v:
            label = str(v)
        else:
            attrs[str(k)] = "" if v is None else str(v)
    return label, attrs


def _tokens_from_infon(text: str, infons: dict[str, Any]) -> tuple[Token, ...] | None:
    mode = infons.get(TOKENIZATION)
    if mode == "whitespace":
        return tuple(Token(m.group(), m.start(), m.end()) for m in _WS.finditer(text))
    if mode == "mosaicner":
        return tuple(tokenize(text))
    if mode == "offsets":
        out = []
        for pair in str(infons.get(TOKENS, "")).split():
            a_s, sep, b_s = pair.partition("-")
            if not sep:
                raise ShapeError(f"token offsets {pair[:30]!r} are not START-END")
            a, b = parse_offset(a_s, "token start"), parse_offset(b_s, "token end")
            out.append(Token(text[a:b], a, b))
        return tuple(out)
    return None


def _check_gap(gap: int, bdoc: bioc.BioCDocument, p: Path) -> None:
    if gap > MAX_GAP:
        raise OffsetError(
            f"document {bdoc.id!r}: passage or sentence offsets leave more than {MAX_GAP:,} "
            "characters of gap to fill",
            file=p,
            expected="offsets close to the end of the previous passage",
            hint="check the offsets (a passage offset far beyond the text)",
        )


def _passage_text(bdoc: bioc.BioCDocument, p: Path) -> tuple[str, list[dict[str, Any]]]:
    """The document text (passages at their offsets, gaps as newlines) and passage records."""
    pieces: list[tuple[int, str]] = []
    passages: list[dict[str, Any]] = []
    gap = 0  # filler characters added to this document (bounded: MAX_GAP)
    for bp in bdoc.passages:
        ptext = bp.text or ""
        if not ptext and bp.sentences:
            # passage given as sentences only: rebuild its text from them
            chars: list[str] = []
            for bs in bp.sentences:
                rel = int(bs.offset) - int(bp.offset)
                if rel < 0:
                    raise OffsetError(
                        f"document {bdoc.id!r}: sentence at offset {bs.offset} lies before "
                        f"its passage (offset {bp.offset})",
                        file=p,
                        expected="sentence offsets >= passage offset",
                    )
                gap += max(0, rel - len(chars))
                _check_gap(gap, bdoc, p)
                chars.extend(" " * max(0, rel - len(chars)))
                chars[rel:] = list(bs.text or "")
            ptext = "".join(chars)
        pieces.append((int(bp.offset), ptext))
        passages.append(
            {"type": str(bp.infons.get("type", "")), "offset": int(bp.offset), "length": len(ptext)}
        )
    buf: list[str] = []
    pos = 0
    for off, ptext in sorted(pieces):
        if off < pos:
            raise OffsetError(
                f"document {bdoc.id!r}: passage at offset {off} overlaps the previous passage",
                file=p,
                expected="passages in order, not overlapping",
            )
        gap += off - pos
        _check_gap(gap, bdoc, p)
        buf.append("\n" * (off - pos))
        buf.append(ptext)
        pos = off + len(ptext)
    return "".join(buf), passages


def _convert(
    bdoc: bioc.BioCDocument, p: Path, report: ReadReport, align: AlignMode, layer: str
) -> Document:
    # ---- text from passages
    text, passages = _passage_text(bdoc, p)
    n = len(text)

    # ---- spans
    spans: list[Span] = []
    anns = list(bdoc.annotations)
    for bp in bdoc.passages:
        anns.extend(bp.annotations)
        for bs in bp.sentences:
            anns.extend(bs.annotations)
    relations = len(bdoc.relations) + sum(
        len(bp.relations) + sum(len(bs.relations) for bs in bp.sentences) for bp in bdoc.passages
    )
    if relations:
        report.count_loss("relations (not modelled, not read)", relations)
    for ann in anns:
        label, attrs = _label(dict(ann.infons))
        if label is None or not ann.locations:
            report.skipped += 1
            report.count_loss("annotations without a type infon or location (skipped)")
            report.warn(f"{p}: document {bdoc.id}: annotation {ann.id!r} has no type/location")
            continue
        frags = sorted(
            (int(loc.offset), int(loc.offset) + int(loc.length)) for loc in ann.locations
        )
        for a, b in frags:
            if not (0 <= a < b <= n):
                raise OffsetError(
                    f"document {bdoc.id!r}: annotation {ann.id!r} location [{a}, {b}) lies "
                    f"outside the text ({n} characters) or is empty",
                    file=p,
                    expected="0 <= offset, offset + length <= end of the last passage",
                )
        located = " ".join(text[a:b] for a, b in frags)
        if ann.text and ann.text != located and ann.text != located.replace("\n", " "):
            report.count_loss("annotation texts that differ from the located text (text kept)")
            report.warn(f"{p}: document {bdoc.id}: {ann.text!r} != {located!r}")
        if ann.id:
            attrs.setdefault("bioc_id", str(ann.id))
        score = attrs.pop("score", None)
        try:
            score_f = float(score) if score is not None else None
        except ValueError:
            attrs["score"] = str(score)
            score_f = None
        spans.append(
            Span(
                frags[0][0],
                max(b for _, b in frags),
                label,
                score=score_f,
                attrs=attrs,
                fragments=tuple(frags) if len(frags) > 1 else (),
            )
        )
    infons = dict(bdoc.infons)
    meta: dict[str, Any] = {"passages": passages, "source": str(p)}
    extra = {k: v for k, v in infons.items() if k not in (TOKENIZATION, TOKENS)}
    if extra:
        meta["infons"] = extra

    # ---- tokens and sentences
    tokens = _tokens_from_infon(text, infons)
    sent_bounds = [
        (int(bs.offset), int(bs.offset) + len(bs.text or ""))
        for bp in bdoc.passages
        for bs in bp.sentences
        if bs.text
    ]
    layers = {layer: tuple(sorted(spans, key=span_sort_key))}
    if tokens is not None:
        starts = [t.start for t in tokens]
        sentences = []
        for a, b in sorted(sent_bounds):
            i = bisect.bisect_left(starts, a)
            j = bisect.bisect_left(starts, b)
            if j > i:
                sentences.append(Sentence(tokens[i].start, tokens[j - 1].end, i, j))
        if not sentences and tokens:
            sentences = [Sentence(tokens[0].start, tokens[-1].end, 0, len(tokens))]
        doc = Document(str(bdoc.id), text, tokens, tuple(sentences), layers, meta)
        doc = align_spans(doc, report, "strict")
    else:
        regions = sent_bounds or [(q["offset"], q["offset"] + q["length"]) for q in passages]
        toks, sents = segment(text, regions)
        doc = Document(str(bdoc.id), text, toks, sents, layers, meta)
        doc = align_spans(doc, report, align)
    report.sentences += len(doc.sentences)
    report.spans += len(spans)
    return doc


def read(
    path: str | Path,
    *,
    flavour: str = "bioc-xml",
    align: AlignMode = "strict",
    layer: str = GOLD,
    **options: object,
) -> ReadResult:
    """Read a BioC XML or JSON collection; see the module docstring."""
    reject_options(options, flavour, ("flavour", "align", "layer"))
    p = Path(path)
    _check_flavour(flavour)
    collection = _load(p, flavour)
    report = ReadReport(path=str(p), format=flavour)
    docs = []
    for bdoc in collection.documents:
        try:
            docs.append(_convert(bdoc, p, report, align, layer))
        except ShapeError as exc:
            raise FormatError(f"document {bdoc.id!r}: {exc}", file=p) from None
        except MosaicnerError as exc:  # the Document's own checks (token offsets, ...)
            if exc.file is None:
                exc.file = str(p)
                exc.args = (exc.render(),)
            raise
    report.documents = len(docs)
    return ReadResult(docs, report)


# ---------------------------------------------------------------------------------- writing
def _tokenization(doc: Document) -> tuple[str, str | None]:
    offsets = [(t.start, t.end) for t in doc.tokens]
    if offsets == [(m.start(), m.end()) for m in _WS.finditer(doc.text)]:
        return "whitespace", None
    if offsets == [(t.start, t.end) for t in tokenize(doc.text)]:
        return "mosaicner", None
    return "offsets", " ".join(f"{a}-{b}" for a, b in offsets)


def _passages(doc: Document) -> list[tuple[str, int, int]]:
    meta = doc.metadata.get("passages") if doc.metadata else None
    if isinstance(meta, list) and meta:
        try:
            out = [(str(q.get("type", "")), int(q["offset"]), int(q["offset"]) + int(q["length"]))
                   for q in meta]  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            out = []
        ok = out and all(0 <= a <= b <= len(doc.text) for _, a, b in out)
        ok = ok and all(x[2] <= y[1] for x, y in itertools.pairwise(out))
        if ok:
            return out
    return [("", 0, len(doc.text))]


def _to_bioc(doc: Document, layer: str, report: WriteReport) -> bioc.BioCDocument:
    bdoc = bioc.BioCDocument()
    bdoc.id = doc.id
    for k, v in (doc.metadata.get("infons") or {}).items() if doc.metadata else ():
        bdoc.infons[str(k)] = str(v)
    if doc.tokens:
        mode, offsets = _tokenization(doc)
        bdoc.infons[TOKENIZATION] = mode
        if offsets is not None:
            bdoc.infons[TOKENS] = offsets
    bpassages = []
    for ptype, a, b in _passages(doc):
        bp = bioc.BioCPassage()
        bp.offset = a
        bp.text = doc.text[a:b]
        if ptype:
            bp.infons["type"] = ptype
        bpassages.append((a, b, bp))
        bdoc.add_passage(bp)
    starts = [a for a, _, _ in bpassages]
    for sent in doc.sentences:
        k = max(0, bisect.bisect_right(starts, sent.start) - 1)
        bs = bioc.BioCSentence()
        bs.offset = sent.start
        bs.text = doc.text[sent.start : sent.end]
        bpassages[k][2].add_sentence(bs)
    for i, sp in enumerate(doc.layer(layer)):
        ann = bioc.BioCAnnotation()
        ann.id = str(sp.attrs.get("bioc_id", f"T{i}"))
        ann.infons["type"] = sp.label
        for key, value in sp.attrs.items():
            if key != "bioc_id":  # infons are strings: lists/objects (provenance) as JSON
                ann.infons[str(key)] = (
                    value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                )
        if sp.score is not None:
            ann.infons["score"] = repr(sp.score)
        frags = sp.fragments or ((sp.start, sp.end),)
        for a, b in frags:
            ann.add_location(bioc.BioCLocation(a, b - a))
        ann.text = " ".join(doc.text[a:b] for a, b in frags)
        k = max(0, bisect.bisect_right(starts, sp.start) - 1)
        if sp.end <= bpassages[k][1]:
            bpassages[k][2].add_annotation(ann)
        else:
            bdoc.add_annotation(ann)
    others = sum(len(v) for k2, v in doc.spans.items() if k2 != layer)
    if others:
        report.count_loss(f"spans of layers other than {layer!r} not written", others)
    report.spans += len(doc.layer(layer))
    return bdoc


def _check_xml_chars(doc: Document, layer: str, p: Path) -> None:
    """Refuse what XML 1.0 cannot hold (control characters, lone surrogates), naming it."""
    fields = [doc.id, doc.text]
    for sp in doc.layer(layer):
        fields.append(sp.label)
        fields.extend(f"{k}{v}" for k, v in sp.attrs.items())
    fields.extend(f"{k}{v}" for k, v in ((doc.metadata or {}).get("infons") or {}).items())
    for value in fields:
        m = _XML_INVALID.search(str(value))
        if m is not None:
            raise UnrepresentableError(
                f"document {doc.id[:60]!r} holds U+{ord(m.group()):04X}, which XML 1.0 cannot hold",
                file=p,
                expected="text without control characters other than tab, LF and CR",
                hint="write BioC JSON or JSON Lines instead, or remove the character",
            )


def write(
    documents: Iterable[Document],
    path: str | Path,
    *,
    flavour: str = "bioc-xml",
    layer: str = GOLD,
    source: str = "mosaicner",
    **options: object,
) -> WriteReport:
    """Write a BioC XML or JSON collection; see the module docstring."""
    reject_options(options, flavour, ("flavour", "layer", "source"))
    p = Path(path)
    _check_flavour(flavour)
    report = WriteReport(path=str(p), format=flavour)
    collection = bioc.BioCCollection()
    collection.source = source
    collection.key = "mosaicner.key"
    for doc in documents:
        if flavour == "bioc-xml":
            _check_xml_chars(doc, layer, p)
        collection.add_document(_to_bioc(doc, layer, report))
        report.documents += 1
    if flavour == "bioc-xml":
        text = biocxml.dumps(collection)
    else:
        buf = io.StringIO()
        biocjson.dump(collection, buf, indent=1)
        text = buf.getvalue()
    write_text_atomic(p, text)
    return report


__all__ = ["FLAVOURS", "read", "write"]
