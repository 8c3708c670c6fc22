"""BRAT standoff: a ``.txt`` file with the text and a ``.ann`` file with annotations.

``read(path)`` takes a folder (every ``*.txt``/``*.ann`` pair in it, sorted by name) or one
``.txt``/``.ann`` file of a pair; the document id is the file stem.

Annotation lines:

* ``T1<TAB>Disease 0 5;10 15<TAB>text`` — an entity.  Several ``start end`` pairs separated by
  ``;`` make a discontinuous entity: the span covers ``[min start, max end)`` and keeps the
  pieces in ``Span.fragments``.  Offsets outside the text raise
  :class:`~mosaicner.errors.OffsetError` with ``FILE:LINE``; offsets that are not ASCII digits
  ``0-9`` (at most 15) raise :class:`~mosaicner.errors.FormatError`.  Offsets count characters
  of the ``.txt`` exactly as stored (``"\\r\\n"`` is two characters; a BOM is not counted).
  The stated text is compared with the ``.txt`` (fragments joined by one space, newlines read
  as spaces); mismatches are counted in ``ReadReport.lossy`` and the ``.txt`` wins.
* ``N1<TAB>Reference T1 MESH:D001234<TAB>name`` — a normalisation, kept in the entity's
  ``attrs["identifier"]`` (several joined by ``;``) and ``attrs["identifier_name"]``.
* ``A1<TAB>Negated T1`` / ``A2<TAB>Severity T1 high`` — attributes, kept as
  ``attrs["attr:Negated"] = "true"`` / ``attrs["attr:Severity"] = "high"``.
* ``#1<TAB>AnnotatorNotes T1<TAB>note`` — notes, kept as ``attrs["note:AnnotatorNotes"]``.
* Every other line (relations ``R``, events ``E``, equivalences ``*``, modifications ``M``, or
  notes on them) is kept verbatim in ``Document.metadata["brat_other"]`` so the writer can
  write it back, and counted in ``ReadReport.lossy`` (the data model has no relations).
* The BRAT id is kept in ``attrs["brat_id"]``.

The text is tokenised and sentence-split with :mod:`mosaicner.data.tokenization` and the
entities are aligned to tokens (``align="strict"`` by default: an entity whose boundary falls
inside a token keeps its character offsets but no token offsets; ``contract``/``expand`` move it
to token boundaries).  Every misalignment is counted in ``ReadReport.alignment`` and
``ReadReport.lossy``; nothing is dropped.

BRAT has no place for tokens or sentences: documents that came from a token format (CoNLL,
GENIA) are re-tokenised on reading, so their token and sentence boundaries may differ; their
character spans are kept exactly.

``write(docs, folder)`` writes ``<id>.txt`` and ``<id>.ann`` per document (``/`` in ids becomes
``_``), entities of one layer (``layer="gold"``) with their attributes, normalisations, notes and
the kept extra lines.  Spans of other layers are counted as lossy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from mosaicner.data.alignment import AlignMode
from mosaicner.data.model import GOLD, Document, Span, span_sort_key
from mosaicner.errors import FormatError, MissingFileError, OffsetError
from mosaicner.io._checks import ShapeError, parse_offset
from mosaicner.io._common import align_spans, reject_options, segment
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import file_name, write_text_atomic

_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")  # any digits here; parse_offset wants 0-9


def _pairs(path: Path) -> list[tuple[Path, Path | None]]:
    """(txt, ann) pairs under a folder or for one file; .ann without .txt raises."""
    if path.is_dir():
        txts = {p.stem: p for p in sorted(path.glob("*.txt"))}
        anns = {p.stem: p for p in sorted(path.glob("*.ann"))}
        orphans = sorted(set(anns) - set(txts))
        if orphans:
            ann = anns[orphans[0]]
            raise MissingFileError(
                f"{ann.name} has no text file {ann.with_suffix('.txt').name}",
                file=ann,
                expected="a .txt file next to every .ann file",
            )
        if not txts:
            raise MissingFileError(
                f"no .txt/.ann files in {path}", file=path, expected="a BRAT folder"
            )
        return [(txts[k], anns.get(k)) for k in sorted(txts)]
    if path.suffix == ".ann":
        txt = path.with_suffix(".txt")
        if not txt.exists():
            raise MissingFileError(
                f"{path.name} has no text file {txt.name}",
                file=path,
                expected="a .txt file next to the .ann file",
            )
        return [(txt, path)]
    if not path.exists():
        raise MissingFileError(f"no such file or folder: {path}", file=path)
    ann = path.with_suffix(".ann")
    return [(path, ann if ann.exists() else None)]


def _parse_ann(ann: Path, text: str, report: ReadReport) -> tuple[list[Span], list[str]]:
    content = read_text(ann, allow_empty=True)
    entities: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    extra: list[str] = []
    pending: list[tuple[int, str]] = []  # lines that refer to entities (after all T lines)
    n = len(text)
    for lineno, raw in enumerate(content.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line[0] != "T":
            pending.append((lineno, line))
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise FormatError(
                f"entity line {line[:60]!r} has no tab-separated fields",
                file=ann,
                line=lineno,
                expected="T<id><TAB><type> <start> <end>[;<start> <end>...]<TAB><text>",
            )
        tid, body = parts[0], parts[1]
        label, _, offs = body.partition(" ")
        if not label or not _OFFSETS.match(offs):
            raise FormatError(
                f"entity line {line[:60]!r} has no type and offsets",
                file=ann,
                line=lineno,
                expected="T<id><TAB><type> <start> <end>[;<start> <end>...]<TAB><text>",
            )
        frags: list[tuple[int, int]] = []
        for piece in offs.split(";"):
            try:
                a, b = (parse_offset(x, "offset") for x in piece.split(" "))
            except ShapeError as exc:
                raise FormatError(
                    str(exc),
                    file=ann,
                    line=lineno,
                    expected="T<id><TAB><type> <start> <end>[;<start> <end>...]<TAB><text>",
                ) from None
            if not (0 <= a < b <= n):
                raise OffsetError(
                    f"entity {tid} {label!r} offsets [{a}, {b}) lie outside the text "
                    f"({n} characters) or are empty",
                    file=ann,
                    line=lineno,
                    expected="0 <= start < end <= length of the .txt file",
                    hint="check that the .ann belongs to this .txt (and its encoding/newlines)",
                )
            frags.append((a, b))
        frags.sort()
        stated = parts[2] if len(parts) > 2 else None
        actual = " ".join(text[a:b] for a, b in frags)
        if stated is not None and stated != actual and stated != actual.replace("\n", " "):
            report.count_loss("entity texts that differ from the .txt (the .txt is kept)")
            report.warn(f"{ann}:{lineno}: {tid} text {stated!r} != {actual!r} in the .txt")
        entities[tid] = {
            "start": frags[0][0],
            "end": max(b for _, b in frags),
            "label": label,
            "fragments": tuple(frags) if len(frags) > 1 else (),
            "attrs": {"brat_id": tid},
        }
        order.append(tid)
    for _lineno, line in pending:
        parts = line.split("\t")
        kind = line[0]
        fields = parts[1].split(" ") if len(parts) > 1 else []
        target = entities.get(fields[1]) if len(fields) > 1 else None
        if kind == "N" and target is not None and len(fields) >= 3:
            attrs = target["attrs"]
            ident = fields[2]
            attrs["identifier"] = (
                f"{attrs['identifier']};{ident}" if "identifier" in attrs else ident
            )
            name = parts[2] if len(parts) > 2 else ""
            if name:
                old = attrs.get("identifier_name")
                attrs["identifier_name"] = f"{old};{name}" if old else name
        elif kind in "AM" and target is not None and len(fields) >= 2:
            target["attrs"]["attr:" + fields[0]] = " ".join(fields[2:]) or "true"
        elif kind == "#" and target is not None:
            key = "note:" + fields[0]
            note = parts[2] if len(parts) > 2 else ""
            old = target["attrs"].get(key)
            target["attrs"][key] = f"{old}\n{note}" if old else note
        else:
            extra.append(line)
    spans = [
        Span(e["start"], e["end"], e["label"], attrs=e["attrs"], fragments=e["fragments"])
        for e in (entities[t] for t in order)
    ]
    if extra:
        report.count_loss("relation/event/other .ann lines (kept only in metadata)", len(extra))
    return spans, extra


def read(
    path: str | Path, *, align: AlignMode = "strict", layer: str = GOLD, **options: object
) -> ReadResult:
    """Read a BRAT folder or one .txt/.ann pair; see the module docstring."""
    reject_options(options, "brat", ("align", "layer"))
    p = Path(path)
    report = ReadReport(path=str(p), format="brat")
    docs: list[Document] = []
    for txt, ann in _pairs(p):
        text = read_text(txt, allow_empty=True)
        spans, extra = _parse_ann(ann, text, report) if ann is not None else ([], [])
        tokens, sentences = segment(text)
        meta: dict[str, Any] = {"source": str(txt)}
        if extra:
            meta["brat_other"] = extra
        doc = Document(
            txt.stem,
            text,
            tokens,
            sentences,
            {layer: tuple(sorted(spans, key=span_sort_key))},
            meta,
        )
        docs.append(align_spans(doc, report, align))
        report.sentences += len(sentences)
        report.spans += len(spans)
    report.documents = len(docs)
    return ReadResult(docs, report)


def _ann_lines(doc: Document, spans: Iterable[Span]) -> list[str]:
    lines: list[str] = []
    used = {str(s.attrs.get("brat_id")) for s in spans if s.attrs.get("brat_id")}
    seen: set[str] = set()
    counters = {"T": 0, "N": 0, "A": 0, "#": 0}

    def fresh(kind: str, taken: set[str]) -> str:
        while True:
            counters[kind] += 1
            name = f"{kind}{counters[kind]}"
            if name not in taken:
                return name

    for sp in spans:
        tid = str(sp.attrs.get("brat_id", ""))
        if not re.fullmatch(r"T\d+", tid) or tid in seen:
            tid = fresh("T", used | seen)
        seen.add(tid)
        frags = sp.fragments or ((sp.start, sp.end),)
        offs = ";".join(f"{a} {b}" for a, b in frags)
        stated = " ".join(doc.text[a:b] for a, b in frags).replace("\n", " ").replace("\r", " ")
        lines.append(f"{tid}\t{sp.label} {offs}\t{stated}")
        names = str(sp.attrs.get("identifier_name", "")).split(";")
        for k, ident in enumerate(x for x in str(sp.attrs.get("identifier", "")).split(";") if x):
            name = names[k] if k < len(names) else ""
            lines.append(f"{fresh('N', set())}\tReference {tid} {ident}\t{name}")
        for key, value in sp.attrs.items():
            if key.startswith("attr:"):
                v = "" if value == "true" else f" {value}"
                lines.append(f"{fresh('A', set())}\t{key[5:]} {tid}{v}")
            elif key.startswith("note:"):
                note = str(value).replace("\n", " ")
                lines.append(f"{fresh('#', set())}\t{key[5:]} {tid}\t{note}")
    return lines


def _safe_name(doc_id: str) -> str:
    return file_name(doc_id.replace("/", "_").replace("\\", "_") or "document")


def write(
    documents: Iterable[Document], path: str | Path, *, layer: str = GOLD, **options: object
) -> WriteReport:
    """Write ``<id>.txt`` + ``<id>.ann`` per document into the folder ``path``."""
    reject_options(options, "brat", ("layer",))
    p = Path(path)
    report = WriteReport(path=str(p), format="brat")
    p.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    for doc in documents:
        name = _safe_name(doc.id)
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base}-{k}"
        if name != doc.id:
            report.count_loss("document ids changed to make file names")
        names.add(name)
        spans = doc.layer(layer)
        lines = _ann_lines(doc, spans)
        lines.extend(str(x) for x in doc.metadata.get("brat_other", ()) if doc.metadata)
        others = sum(len(v) for k2, v in doc.spans.items() if k2 != layer)
        if others:
            report.count_loss(f"spans of layers other than {layer!r} not written", others)
        write_text_atomic(p / f"{name}.txt", doc.text)
        write_text_atomic(p / f"{name}.ann", "".join(x + "\n" for x in lines))
        report.documents += 1
        report.spans += len(spans)
    return report


def strip_brat_ids(doc: Document) -> Document:
    """A copy of ``doc`` without the ``brat_id`` attribute (for comparisons across formats)."""
    layers = {
        k: tuple(replace(s, attrs={a: b for a, b in s.attrs.items() if a != "brat_id"}) for s in v)
        for k, v in doc.spans.items()
    }
    return replace(doc, spans=layers)


__all__ = ["read", "strip_brat_ids", "write"]
