"""Plain text.

Reading: one document per file (id = file stem), every ``*.txt`` file of a folder (sorted), or
with ``per_line=True`` one document per non-blank line (ids ``<stem>-<k>``, ``k`` = 0-based
index among the non-blank lines; ``metadata["line"]`` holds the 1-based line number).  Text is
kept exactly (a per-line document drops only its line break); it is tokenised and split into
sentences with :mod:`mosaicner.data.tokenization`.  No spans.

Offsets and line ends.  Character offsets index the file's text exactly as
``open(path, encoding="utf-8-sig", newline="").read()`` returns it: UTF-8, a leading byte-order
mark (U+FEFF) removed and not counted, no line-end translation (``"\\r\\n"`` is two characters,
a lone ``"\\r"`` one).  Lines end at ``"\\n"`` only (:func:`split_lines`): a line ending in
``"\\r\\n"`` loses both characters, a lone ``"\\r"`` stays inside its line (it never splits a
document), and per-line offsets are relative to the line.  :func:`open_text` opens a file this
way for streaming readers (``mosaicner tag``).

Writing: text only.  Spans cannot be written and are counted in ``WriteReport.lossy``.  With
``per_line=True`` every document is one line of the file ``path`` (line breaks inside a text are
written as spaces and counted); otherwise one document is written to ``path`` and several go to
the folder ``path`` as ``<id>.txt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from mosaicner.data.model import Document
from mosaicner.data.tokenization import make_document
from mosaicner.errors import MissingFileError
from mosaicner.io._common import reject_options
from mosaicner.io.base import ReadReport, ReadResult, WriteReport, read_text
from mosaicner.io.files import file_name, write_text_atomic


def open_text(path: str | Path) -> IO[str]:
    """Open a UTF-8 text file for exact reading: BOM dropped, lines split at ``"\\n"`` only,
    no line-end translation (see the module docstring)."""
    return open(path, encoding="utf-8-sig", newline="\n")


def strip_line_end(line: str) -> str:
    """A line without its line end: ``"\\n"`` or ``"\\r\\n"`` (a lone ``"\\r"`` is content)."""
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def split_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for every line of ``text``, line ends removed as by
    :func:`strip_line_end` (a final line without a line end counts; an empty tail does not)."""
    lines = text.split("\n")
    tail = lines.pop()  # what follows the last "\n": a line without a line end, or ""
    for lineno, line in enumerate(lines, 1):
        yield lineno, line[:-1] if line.endswith("\r") else line
    if tail:
        yield len(lines) + 1, tail


def read(path: str | Path, *, per_line: bool = False, **options: object) -> ReadResult:
    """Read plain text; see the module docstring."""
    reject_options(options, "text", ("per_line",))
    p = Path(path)
    report = ReadReport(path=str(p), format="text")
    if p.is_dir():
        files = sorted(p.glob("*.txt"))
        if not files:
            raise MissingFileError(f"no .txt files in {p}", file=p, expected="a folder of .txt")
    else:
        files = [p]
    docs: list[Document] = []
    for f in files:
        text = read_text(f)
        if per_line:
            k = 0
            for lineno, line in split_lines(text):
                if not line.strip():
                    continue
                doc = make_document(f"{f.stem}-{k}", line)
                docs.append(Document(doc.id, doc.text, doc.tokens, doc.sentences,
                                     metadata={"line": lineno, "source": str(f)}))  # fmt: skip
                k += 1
        else:
            doc = make_document(f.stem, text)
            docs.append(
                Document(doc.id, doc.text, doc.tokens, doc.sentences, metadata={"source": str(f)})
            )
    for d in docs:
        report.sentences += len(d.sentences)
    report.documents = len(docs)
    return ReadResult(docs, report)


def write(
    documents: Iterable[Document],
    path: str | Path,
    *,
    per_line: bool = False,
    layer: str | None = None,
    **options: object,
) -> WriteReport:
    """Write plain text (spans are counted as lossy); see the module docstring."""
    reject_options(options, "text", ("per_line", "layer"))
    p = Path(path)
    report = WriteReport(path=str(p), format="text")
    docs = list(documents)
    for d in docs:
        n = sum(len(v) for v in d.spans.values())
        if n:
            report.count_loss("spans (plain text holds none)", n)
    report.documents = len(docs)
    if per_line:
        lines = []
        for d in docs:
            text = d.text
            if "\n" in text or "\r" in text:
                report.count_loss("line breaks written as spaces")
                text = text.replace("\r", " ").replace("\n", " ")
            lines.append(text + "\n")
        write_text_atomic(p, "".join(lines))
    elif len(docs) == 1 and not p.is_dir():
        write_text_atomic(p, docs[0].text)
    else:
        p.mkdir(parents=True, exist_ok=True)
        used: set[str] = set()
        for d in docs:
            name = d.id.replace("/", "_") or "document"
            base, k = name, 1
            while name in used:
                k += 1
                name = f"{base}-{k}"
            used.add(name)
            write_text_atomic(p / f"{file_name(name)}.txt", d.text)
    return report


__all__ = ["open_text", "read", "split_lines", "strip_line_end", "write"]
