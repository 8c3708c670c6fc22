"""Column TSV / CoNLL files: one token per line, ``token<TAB>tag``, blank line between sentences.

Conventions:

* **Columns.** By default a line has exactly two tab-separated columns, token then tag
  (``columns=2``, ``token_column=0``, ``tag_column=-1``).  Multi-column CoNLL files are read with
  ``columns=N`` (or ``columns=None`` for any count) and the column indices; ``separator`` is
  ``"tab"`` or ``"whitespace"`` (runs of spaces/tabs).  A line with another column count raises
  :class:`~mosaicner.errors.ColumnCountError` with ``FILE:LINE``.
* **Tags** follow ``scheme`` (``iob2`` default, ``iob1``, ``iobes``; see :mod:`mosaicner.io.tags`).
  ``strict=True`` rejects ill-formed sequences; ``strict=False`` repairs them and counts the
  repairs in ``ReadReport.repaired``.
* **Sentences** end at a blank (or whitespace-only) line.
* **Documents.** A line whose token is ``-DOCSTART-`` starts a new document and is neither a
  token nor a sentence.  A file without such lines is one document whose id is the file stem;
  with them, the documents are ``<stem>-0``, ``<stem>-1``, ... in file order (sentences before
  the first marker, if any, form the first document).  Empty documents are skipped.
* **Text.** CoNLL holds no text: the document text is the tokens joined by single spaces,
  sentences joined by a single space too (:meth:`Document.from_sentences`), so every span gets
  character offsets ``[start, end)``.

The writer writes IOB2 by default.  Tags cannot nest, so each sentence's spans are flattened
with a named policy (``flatten="outermost"`` default, ``innermost``, ``longest``, ``error``; see
:mod:`mosaicner.data.flatten`) and every dropped span is counted in ``WriteReport.lossy``.  It
writes ``-DOCSTART-<TAB>O`` + blank line before each document when ``docstart`` is ``True``, or
(``"auto"``, the default) when there is more than one document.  Document ids are not stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mosaicner.data.flatten import FlattenReport, check_policy
from mosaicner.data.flatten import flatten as flatten_spans
from mosaicner.data.model import GOLD, Document
from mosaicner.errors import ColumnCountError, ConfigError, DataError
from mosaicner.io._common import (
    count_discontinuous,
    ensure_tokens,
    reject_options,
    sentence_spans,
)
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import write_text_atomic
from mosaicner.io.tags import check_scheme, decode, encode

DOCSTART = "-DOCSTART-"
_SEPARATORS = ("tab", "whitespace")
_READ_OPTIONS = ("scheme", "strict", "separator", "columns", "token_column", "tag_column",
                 "doc_id", "layer")  # fmt: skip
_WRITE_OPTIONS = ("layer", "scheme", "flatten", "docstart", "separator")


def _column_names(columns: int, token_column: int, tag_column: int) -> str:
    names = ["?"] * columns
    if -columns <= token_column < columns:
        names[token_column] = "token"
    if -columns <= tag_column < columns:
        names[tag_column] = "tag"
    return ", ".join(names)


def read(
    path: str | Path,
    *,
    scheme: str = "iob2",
    strict: bool = True,
    separator: str = "tab",
    columns: int | None = 2,
    token_column: int = 0,
    tag_column: int = -1,
    doc_id: str | None = None,
    layer: str = GOLD,
    **options: object,
) -> ReadResult:
    """Read a column file; see the module docstring for the conventions."""
    reject_options(options, "conll", _READ_OPTIONS)
    p = Path(path)
    sch = check_scheme(scheme)
    if separator not in _SEPARATORS:
        raise ConfigError(f"unknown separator {separator!r}", expected=" | ".join(_SEPARATORS))
    text = read_text(p)
    report = ReadReport(path=str(p), format="conll")
    stem = doc_id or p.stem
    needed = max(token_column if token_column >= 0 else -token_column - 1,
                 tag_column if tag_column >= 0 else -tag_column - 1) + 1  # fmt: skip
    use_tab = separator == "tab"
    sep_name = "tab-separated" if use_tab else "whitespace-separated"

    docs_raw: list[tuple[list[list[str]], list[list[tuple[int, int, str]]]]] = []
    doc_words: list[list[str]] = []
    doc_spans: list[list[tuple[int, int, str]]] = []
    words: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    has_markers = False

    def end_sentence() -> None:
        nonlocal words, tags, lines
        if not words:
            return
        spans, repairs = decode(tags, sch, strict=strict, file=p, lines=lines)
        report.repaired += repairs
        doc_words.append(words)
        doc_spans.append(spans)
        words, tags, lines = [], [], []

    def end_document() -> None:
        nonlocal doc_words, doc_spans
        end_sentence()
        if doc_words:
            docs_raw.append((doc_words, doc_spans))
        doc_words, doc_spans = [], []

    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip()
        if not line:
            end_sentence()
            continue
        parts = line.split("\t") if use_tab else line.split()
        n = len(parts)
        if (columns is not None and n != columns) or n < needed:
            want = columns if columns is not None else needed
            what = _column_names(want, token_column, tag_column)
            raise ColumnCountError(
                f"found {n} column{'s' if n != 1 else ''} in {line[:60]!r}",
                file=p,
                line=lineno,
                expected=f"{want} {sep_name} columns ({what})"
                if columns is not None
                else f"at least {want} {sep_name} columns ({what})",
                hint="set the column layout (columns, token_column, tag_column, separator)",
            )
        token = parts[token_column]
        if token == DOCSTART:
            has_markers = True
            end_document()
            continue
        words.append(token)
        tags.append(parts[tag_column].strip())
        lines.append(lineno)
    end_document()

    documents: list[Document] = []
    for k, (sents, spans) in enumerate(docs_raw):
        did = f"{stem}-{k}" if has_markers else stem
        doc = Document.from_sentences(did, sents, spans, layer=layer, metadata={"source": str(p)})
        documents.append(doc)
        report.sentences += len(sents)
        report.spans += sum(len(s) for s in spans)
    report.documents = len(documents)
    if not documents:
        report.warn(f"{p}: no sentences")
    return ReadResult(documents, report)


def write(
    documents: Iterable[Document],
    path: str | Path,
    *,
    layer: str = GOLD,
    scheme: str = "iob2",
    flatten: str = "outermost",
    docstart: bool | str = "auto",
    separator: str = "\t",
    **options: object,
) -> WriteReport:
    """Write documents as ``token<TAB>tag`` lines; see the module docstring."""
    reject_options(options, "conll", _WRITE_OPTIONS)
    p = Path(path)
    sch = check_scheme(scheme)
    check_policy(flatten)
    if docstart not in (True, False, "auto"):
        raise ConfigError(f"unknown docstart value {docstart!r}", expected="true | false | auto")
    docs = list(documents)
    markers = docstart is True or (docstart == "auto" and len(docs) > 1)
    report = WriteReport(path=str(p), format="conll")
    freport = FlattenReport(policy=flatten)
    out: list[str] = []
    for doc in docs:
        doc = ensure_tokens(doc, report)
        count_discontinuous(doc.layer(layer), report)
        if markers:
            out.append(f"{DOCSTART}{separator}O\n\n")
        for sent, spans in sentence_spans(doc, layer, report):
            if sent.token_end <= sent.token_start:
                continue
            kept, fr = flatten_spans(spans, flatten)
            freport.merge(fr)
            local = [
                (s.token_start - sent.token_start, s.token_end - sent.token_start, s.label)
                for s in kept
                if s.token_start is not None and s.token_end is not None
            ]
            tags = encode(local, sent.token_end - sent.token_start, sch)
            for tok, tag in zip(doc.tokens[sent.token_start : sent.token_end], tags, strict=True):
                if any(c in tok.text for c in "\t\n") or (separator != "\t" and " " in tok.text):
                    raise DataError(
                        f"document {doc.id!r}: token {tok.text!r} contains a separator",
                        hint="tokens of column files cannot contain the column separator",
                    )
                out.append(f"{tok.text}{separator}{tag}\n")
            out.append("\n")
            report.spans += len(local)
        report.documents += 1
    if freport.dropped:
        report.count_loss(f"nested/overlapping spans dropped (flatten={flatten})", freport.dropped)
    write_text_atomic(p, "".join(out))
    return report


__all__ = ["DOCSTART", "read", "write"]
