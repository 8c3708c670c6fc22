from __future__ import annotations

from pathlib import Path

from mosaicner.data.model import Document
from mosaicner.io import read, write


def test_one_document_per_file_and_per_line(tmp_path: Path) -> None:
    f = tmp_path / "abs.txt"
    f.write_text("IL-2 binds its receptor. T cells respond.\n\nSecond line here.\n")
    (doc,) = read(f, "text").documents
    assert doc.id == "abs" and doc.text.startswith("IL-2") and len(doc.sentences) == 3
    assert [t.text for t in doc.tokens[:3]] == ["IL", "-", "2"]
    docs = read(f, "text", per_line=True).documents
    assert [d.id for d in docs] == ["abs-0", "abs-1"]
    assert docs[1].text == "Second line here." and docs[1].metadata["line"] == 3


def test_writer_counts_spans_as_lossy(tmp_path: Path) -> None:
    doc = Document.from_sentences("d", [["a", "b"]], [[(0, 1, "X")]])
    rep = write([doc, doc.without_layer("gold")], tmp_path / "lines.txt", "text", per_line=True)
    assert rep.lossy == {"spans (plain text holds none)": 1}
    assert (tmp_path / "lines.txt").read_text() == "a b\na b\n"
    write([doc], tmp_path / "one.txt", "text")
    assert read(tmp_path / "one.txt", "text").documents[0].text == "a b"
    write([doc, Document("e", "x\ny")], tmp_path / "folder", "text")
    assert [d.text for d in read(tmp_path / "folder", "text").documents] == ["a b", "x\ny"]
