"""Check corpus files and report every problem (not just the first), with file and line.

Checks per format:

* **conll** (line by line): column count, empty tokens, tags outside the scheme, ill-formed
  sequences (``I-X`` after ``O`` or after another type in IOB2; IOBES transitions), empty
  sentences (runs of blank lines), ``-DOCSTART-`` lines with a tag other than ``O``;
* **genia-jsonl** (line by line): JSON syntax and shape, empty sentences, empty tokens, tokens
  holding spaces (a *warning*: GENIA 3.02 has such tokens, e.g. ``G + C``), mention
  offsets outside the sentence or empty, ``text`` that disagrees with the tokens, duplicate
  mentions (same start, end, type), crossing mentions;
* **any other format**: the reader's first error (with its file/line), then per document: empty
  sentences, spans without token offsets, spans across sentence boundaries, duplicate and
  crossing spans.

Problems are findings, not exceptions: :func:`validate` returns a :class:`ValidationReport`;
the CLI exits 2 when it has any error (warnings alone exit 0).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mosaicner.corpora.resolve import detect_format, resolve_corpus
from mosaicner.data.model import GOLD, Document, Sentence, Span
from mosaicner.errors import ConfigError, MosaicnerError

MAX_STORED = 1000
#: Kinds that are reported but do not make a file invalid.
WARNING_KINDS = frozenset({"token-space"})
_TAG_RE = re.compile(r"^([BIESLU])-(.+)$")
SCHEMES = ("iob2", "iob1", "iobes")
_WHERE_RE = re.compile(r"^(\S+?):(\d+): (.*)$", re.DOTALL)
_CHARS_RE = re.compile(r"characters \[(\d+), (\d+)\)")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    kind: str
    message: str

    @property
    def severity(self) -> str:
        return "warning" if self.kind in WARNING_KINDS else "error"

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.severity}: {self.kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
        }


@dataclass
class ValidationReport:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    sentences: int = 0
    mentions: int = 0

    @property
    def errors(self) -> int:
        return sum(n for k, n in self.counts.items() if k not in WARNING_KINDS)

    @property
    def warnings(self) -> int:
        return sum(n for k, n in self.counts.items() if k in WARNING_KINDS)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.errors == 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, file: str | Path, line: int | None, kind: str, message: str) -> None:
        self.counts[kind] += 1
        if len(self.problems) < MAX_STORED:
            self.problems.append(Problem(str(file), line, kind, message))

    def extend(self, other: ValidationReport) -> None:
        self.files.extend(other.files)
        room = MAX_STORED - len(self.problems)
        self.problems.extend(other.problems[: max(room, 0)])
        self.counts.update(other.counts)
        self.sentences += other.sentences
        self.mentions += other.mentions

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "sentences": self.sentences,
            "mentions": self.mentions,
            "errors": self.errors,
            "warnings": self.warnings,
            "counts": dict(sorted(self.counts.items())),
            "details": [p.to_dict() for p in self.problems],
            "details_truncated": self.total > len(self.problems),
        }


# ------------------------------------------------------------------------------------- conll
def validate_conll(
    path: Path,
    *,
    scheme: str = "iob2",
    columns: int | None = 2,
    separator: str = "tab",
    tag_column: int = -1,
) -> ValidationReport:
    if scheme not in SCHEMES:
        raise ConfigError(f"unknown tag scheme {scheme!r}", expected=" | ".join(SCHEMES))
    rep = ValidationReport(files=[str(path)])
    text = _read(path, rep)
    if text is None:
        return rep
    prev = "O"  # previous tag in the sentence
    blank_run = 0
    in_sentence = False
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            if in_sentence:
                rep.sentences += 1
                _end_sentence(rep, path, lineno, prev, scheme)
            elif blank_run >= 1 and lineno > 1:
                rep.add(path, lineno, "empty-sentence", "blank line after a blank line")
            blank_run += 1
            in_sentence = False
            prev = "O"
            continue
        blank_run = 0
        cols = line.split("\t") if separator == "tab" else line.split()
        if columns is not None and len(cols) != columns:
            rep.add(
                path,
                lineno,
                "columns",
                f"{len(cols)} {'tab-separated ' if separator == 'tab' else ''}columns, "
                f"expected {columns} (token, tag)",
            )
            in_sentence = True
            prev = "O"
            continue
        token = cols[0]
        tag = cols[tag_column].strip() if len(cols) > 1 else ""
        if token == "-DOCSTART-":
            if tag not in ("O", ""):
                rep.add(path, lineno, "docstart", f"-DOCSTART- line with tag {tag!r}, expected O")
            if in_sentence:
                rep.add(path, lineno, "docstart", "-DOCSTART- inside a sentence (no blank before)")
            continue
        if not token.strip() or token != token.strip():
            rep.add(path, lineno, "empty-token", f"empty token or spaces around it: {token!r}")
        in_sentence = True
        prev = _check_tag(rep, path, lineno, prev, tag, scheme)
    if in_sentence:
        rep.sentences += 1
        _end_sentence(rep, path, len(lines), prev, scheme)
    return rep


def _check_tag(
    rep: ValidationReport, path: Path, lineno: int, prev: str, tag: str, scheme: str
) -> str:
    if tag == "O":
        if scheme == "iobes" and prev[:2] in ("B-", "I-"):
            rep.add(path, lineno, "tag-sequence", f"O after unfinished {prev} (IOBES)")
        return tag
    m = _TAG_RE.match(tag)
    allowed = "BI" if scheme in ("iob2", "iob1") else "BIES"
    if m is None or m.group(1) not in allowed:
        rep.add(
            path,
            lineno,
            "tag",
            f"tag {tag!r} is not in the {scheme.upper()} scheme",
        )
        return "O"
    prefix, label = m.group(1), m.group(2)
    pm = _TAG_RE.match(prev)
    p_prefix, p_label = (pm.group(1), pm.group(2)) if pm else ("O", "")
    if prefix in ("B", "S"):
        rep.mentions += 1
    if scheme == "iob2":
        if prefix == "I" and (p_prefix == "O" or p_label != label):
            rep.add(
                path, lineno, "tag-sequence", f"{tag} after {prev} (IOB2 needs B-{label} first)"
            )
            rep.mentions += 1
    elif scheme == "iob1":
        if prefix == "I" and (p_prefix == "O" or p_label != label):
            rep.mentions += 1
        if prefix == "B" and not (p_label == label and p_prefix in "BI"):
            rep.add(
                path,
                lineno,
                "tag-sequence",
                f"{tag} after {prev}: IOB1 uses B- only between two mentions of the same type",
            )
    else:  # iobes
        if prefix in ("I", "E") and not (p_prefix in ("B", "I") and p_label == label):
            rep.add(path, lineno, "tag-sequence", f"{tag} after {prev} (IOBES)")
            rep.mentions += 1
        if prefix in ("B", "S") and p_prefix in ("B", "I"):
            rep.add(path, lineno, "tag-sequence", f"{tag} after unfinished {prev} (IOBES)")
    return tag


def _end_sentence(rep: ValidationReport, path: Path, lineno: int, prev: str, scheme: str) -> None:
    if scheme == "iobes" and prev[:1] in ("B", "I"):
        rep.add(path, lineno, "tag-sequence", f"sentence ends inside a mention ({prev}, IOBES)")


# ------------------------------------------------------------------------------- genia-jsonl
def validate_genia(path: Path) -> ValidationReport:
    rep = ValidationReport(files=[str(path)])
    text = _read(path, rep)
    if text is None:
        return rep
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rep.add(path, lineno, "json", f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except (ValueError, RecursionError) as exc:  # int-string limit, nesting depth
            rep.add(path, lineno, "json", f"not usable JSON: {str(exc)[:120]}")
            continue
        if not isinstance(obj, dict):
            rep.add(path, lineno, "json", "a line must be a JSON object")
            continue
        tokens = obj.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            rep.add(path, lineno, "json", "field 'tokens' must be a list of strings")
            continue
        rep.sentences += 1
        if not tokens:
            rep.add(path, lineno, "empty-sentence", "'tokens' is empty")
        for i, t in enumerate(tokens):
            if not t.strip():
                rep.add(path, lineno, "empty-token", f"token {i} is empty")
            elif any(c.isspace() for c in t):
                rep.add(path, lineno, "token-space", f"token {i} {t!r} contains whitespace")
        mentions = obj.get("entity_mentions", [])
        if not isinstance(mentions, list):
            rep.add(path, lineno, "json", "field 'entity_mentions' must be a list")
            continue
        spans: list[tuple[int, int, str]] = []
        for j, m in enumerate(mentions):
            if not isinstance(m, dict):
                rep.add(path, lineno, "json", f"mention {j} is not an object")
                continue
            s, e, label = m.get("start"), m.get("end"), m.get("entity_type")
            if not isinstance(s, int) or not isinstance(e, int) or not isinstance(label, str):
                rep.add(path, lineno, "json", f"mention {j} needs int start/end and entity_type")
                continue
            rep.mentions += 1
            if not 0 <= s < e <= len(tokens):
                rep.add(
                    path,
                    lineno,
                    "offsets",
                    f"mention {j} [{s}, {e}) {label} is empty or outside the {len(tokens)} tokens",
                )
                continue
            if "text" in m and m["text"] != " ".join(tokens[s:e]):
                rep.add(
                    path,
                    lineno,
                    "text",
                    f"mention {j} text {m['text']!r} != tokens {' '.join(tokens[s:e])!r}",
                )
            spans.append((s, e, label))
        _span_checks(rep, path, lineno, spans)
    return rep


def _span_checks(
    rep: ValidationReport,
    path: Path | str,
    line: int | None,
    spans: Sequence[tuple[int, int, str]],
    where: str = "",
    where_of: dict[tuple[int, int, str], tuple[str, int | None]] | None = None,
) -> None:
    """Duplicate and crossing spans; ``where_of`` places a problem at a span's own line."""

    def at(s: int, e: int, label: str | None = None) -> tuple[str | Path, int | None]:
        if where_of:
            if label is not None and (s, e, label) in where_of:
                return where_of[(s, e, label)]
            for (s2, e2, _), loc in where_of.items():
                if (s2, e2) == (s, e):
                    return loc
        return path, line

    counts = Counter(spans)
    for (s, e, label), n in sorted(counts.items()):
        if n > 1:
            rep.add(
                *at(s, e, label), "duplicate", f"{where}span [{s}, {e}) {label} appears {n} times"
            )
    bounds = sorted({(s, e) for s, e, _ in spans}, key=lambda b: (b[0], -b[1]))
    # crossing: a later-starting span that begins inside an earlier one and ends after it
    for i, (s1, e1) in enumerate(bounds):
        for s2, e2 in bounds[i + 1 :]:
            if s2 >= e1:
                break
            if e2 > e1:
                rep.add(
                    *at(s2, e2), "crossing", f"{where}spans [{s1}, {e1}) and [{s2}, {e2}) cross"
                )


# ------------------------------------------------------------------------------ other formats
class _Locator:
    """Where a document, sentence or span of a file read by :mod:`mosaicner.io` is written.

    Readers give documents, not lines, so the lines are found again in the file: the line of
    the document (its id, or its position for JSON Lines), and for spans the annotation line
    when the format has one (BRAT ``T`` lines in the ``.ann`` file, PubTator mention lines);
    otherwise the document's line.  BRAT problems name the ``.txt`` or ``.ann`` file of the
    document, not the folder.
    """

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._lines: dict[Path, list[str]] = {}
        self._doc_lines: dict[str, int] | None = None
        self._nonblank: list[int] | None = None

    def lines(self, file: Path) -> list[str]:
        if file not in self._lines:
            try:
                text = file.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                text = ""
            self._lines[file] = text.split("\n")
        return self._lines[file]

    def _brat_txt(self, doc: Document) -> Path | None:
        source = doc.metadata.get("source") if doc.metadata else None
        return Path(str(source)) if source else None

    def _index(self) -> dict[str, int]:
        if self._doc_lines is None:
            self._doc_lines = {}
            self._nonblank = []
            id_re = {
                "bioc-xml": re.compile(r"<id>\s*([^<]*?)\s*</id>"),
                "bioc-json": re.compile(r'"id"\s*:\s*"([^"]*)"'),
            }.get(self.fmt)
            for n, line in enumerate(self.lines(self.path), start=1):
                if not line.strip():
                    continue
                self._nonblank.append(n)
                found: str | None = None
                if self.fmt == "pubtator":
                    head, sep, _ = line.partition("|")
                    found = head if sep else line.split("\t", 1)[0]
                elif id_re is not None:
                    m = id_re.search(line)
                    found = m.group(1) if m else None
                if found is not None:
                    self._doc_lines.setdefault(found, n)
        return self._doc_lines

    def document(self, doc: Document, index: int) -> tuple[str, int | None]:
        if self.fmt == "brat":
            txt = self._brat_txt(doc)
            return (str(txt), 1) if txt is not None else (str(self.path), None)
        if self.fmt in ("jsonl", "text"):
            self._index()
            assert self._nonblank is not None
            if self.fmt == "jsonl" and index < len(self._nonblank):
                return str(self.path), self._nonblank[index]
            return str(self.path), 1 if self.fmt == "text" else None
        return str(self.path), self._index().get(doc.id)

    def sentence(self, doc: Document, index: int, sent: Sentence) -> tuple[str, int | None]:
        if self.fmt in ("brat", "text"):
            file, first = self.document(doc, index)
            if first is not None:
                return file, first + doc.text.count("\n", 0, sent.start)
        return self.document(doc, index)

    def span(self, doc: Document, index: int, sp: Span) -> tuple[str, int | None]:
        if self.fmt == "brat":
            txt = self._brat_txt(doc)
            brat_id = sp.attrs.get("brat_id")
            if txt is not None:
                ann = txt.with_suffix(".ann")
                for n, line in enumerate(self.lines(ann), start=1):
                    if brat_id and line.startswith(f"{brat_id}\t"):
                        return str(ann), n
                return str(ann), None
        file, first = self.document(doc, index)
        if self.fmt == "pubtator" and first is not None:
            prefix = f"{doc.id}\t{sp.start}\t{sp.end}\t"
            lines = self.lines(self.path)
            for n in range(first, len(lines) + 1):
                line = lines[n - 1]
                if not line.strip():
                    break
                if line.startswith(prefix):
                    return file, n
        return file, first


def validate_documents(
    documents: Iterable[Document],
    file: str | Path,
    layer: str = GOLD,
    *,
    format: str | None = None,
) -> ValidationReport:
    """Document-level checks; with ``format`` every problem names the file and line it is on
    (the document's own ``.txt``/``.ann`` file for BRAT)."""
    rep = ValidationReport(files=[str(file)])
    locate = _Locator(Path(file), format) if format is not None else None
    for index, doc in enumerate(documents):
        doc_file, doc_line = (
            locate.document(doc, index) if locate is not None else (str(file), None)
        )
        for k, sent in enumerate(doc.sentences):
            rep.sentences += 1
            if sent.token_end <= sent.token_start:
                where = locate.sentence(doc, index, sent) if locate else (str(file), None)
                rep.add(*where, "empty-sentence", f"document {doc.id!r}: sentence {k} is empty")
        spans = doc.layer(layer)
        rep.mentions += len(spans)
        sent_of: dict[int, int] = {}
        for k, sent in enumerate(doc.sentences):
            for t in range(max(sent.token_start, 0), min(sent.token_end, len(doc.tokens))):
                sent_of[t] = k
        triples: list[tuple[int, int, str]] = []
        where_of: dict[tuple[int, int, str], tuple[str, int | None]] = {}
        for sp in spans:
            triple = (sp.start, sp.end, sp.label)
            triples.append(triple)
            where = locate.span(doc, index, sp) if locate else (str(file), None)
            where_of.setdefault(triple, where)
            _check_span_tokens(rep, where, doc, sp, sent_of)
        _span_checks(
            rep,
            doc_file,
            doc_line,
            triples,
            where=f"document {doc.id!r}: character ",
            where_of=where_of,
        )
    return rep


def _check_span_tokens(
    rep: ValidationReport,
    where: tuple[str | Path, int | None],
    doc: Document,
    sp: Span,
    sent_of: dict[int, int],
) -> None:
    if not doc.tokens:
        return
    if sp.token_start is None or sp.token_end is None:
        rep.add(
            *where,
            "alignment",
            f"document {doc.id!r}: span [{sp.start}, {sp.end}) {sp.label} has no token offsets",
        )
        return
    if doc.sentences and sent_of.get(sp.token_start) != sent_of.get(sp.token_end - 1):
        rep.add(
            *where,
            "sentence-boundary",
            f"document {doc.id!r}: span [{sp.start}, {sp.end}) {sp.label} crosses a sentence "
            "boundary",
        )


def _read(path: Path, rep: ValidationReport) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        rep.add(path, data[: exc.start].count(b"\n") + 1, "encoding", "invalid UTF-8")
        return None
    if not text.strip():
        rep.add(path, 1, "empty-file", "the file is empty")
        return None
    return text.removeprefix("\ufeff")


def validate_file(path: Path, format: str | None = None, **options: Any) -> ValidationReport:
    fmt = format or detect_format(path)
    if fmt == "conll":
        keys = ("scheme", "columns", "separator", "tag_column")
        return validate_conll(path, **{k: v for k, v in options.items() if k in keys})
    if fmt == "genia-jsonl":
        return validate_genia(path)
    from mosaicner import io

    try:
        result = io.read(path, fmt, **options)
    except MosaicnerError as exc:
        rep = ValidationReport(files=[str(path)])
        rep.add(exc.file or path, exc.line, type(exc).__name__, exc.message)
        return rep
    rep = validate_documents(result.documents, path, format=fmt)
    locate = _Locator(path, fmt)
    docs = {d.id: (i, d) for i, d in enumerate(result.documents)}
    for warning in result.report.warnings:
        rep.add(*_warning_location(warning, path, docs, locate), "reader", warning)
    return rep


def _warning_location(
    warning: str, path: Path, docs: dict[str, tuple[int, Document]], locate: _Locator
) -> tuple[str, int | None]:
    """A reader warning's file and line: its own ``FILE:LINE:`` prefix, or the span or document
    it names (``DOC: LABEL 'text': characters [s, e) ...``)."""
    m = _WHERE_RE.match(warning)
    if m is not None:
        return m.group(1), int(m.group(2))
    doc_id, sep, rest = warning.partition(": ")
    if not sep or doc_id not in docs:
        return str(path), None
    index, doc = docs[doc_id]
    c = _CHARS_RE.search(rest)
    if c is not None:
        start, end = int(c.group(1)), int(c.group(2))
        for sp in doc.layer(GOLD):
            if (sp.start, sp.end) == (start, end):
                return locate.span(doc, index, sp)
    return locate.document(doc, index)


def validate(
    name_or_path: str | Path, *, format: str | None = None, **options: Any
) -> ValidationReport:
    """Validate a file, a corpus directory or a registry corpus (every split file)."""
    path = Path(name_or_path)
    if path.is_file():
        return validate_file(path, format, **options)
    resolved = resolve_corpus(name_or_path, format=format)
    rep = ValidationReport()
    for split_path in resolved.files.values():
        rep.extend(validate_file(split_path, format or resolved.format, **options))
    return rep


__all__ = [
    "Problem",
    "ValidationReport",
    "validate",
    "validate_conll",
    "validate_documents",
    "validate_file",
    "validate_genia",
]
