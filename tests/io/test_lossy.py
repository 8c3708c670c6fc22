"""Writers never drop anything silently; the io layer stays torch-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaicner.data.model import Document, Sentence, Span, Token
from mosaicner.io import read, write


def awkward_document() -> Document:
    text = "IL-2 binds. T cells grow."
    tokens = (
        Token("IL-2", 0, 4),
        Token("binds", 5, 10),
        Token(".", 10, 11),
        Token("T", 12, 13),
        Token("cells", 14, 19),
        Token("grow", 20, 24),
        Token(".", 24, 25),
    )
    sents = (Sentence(0, 11, 0, 3), Sentence(12, 25, 3, 7))
    spans = (
        Span(0, 4, "protein", 0, 1),
        Span(5, 19, "X", 1, 5),  # crosses the sentence boundary
        Span(1, 3, "Y"),  # inside a token: no token offsets
        Span(12, 19, "cell_type", 3, 5, fragments=((12, 13), (14, 19))),
    )
    return Document("d", text, tokens, sents, {"gold": spans})


def test_token_writers_count_what_they_drop(tmp_path: Path) -> None:
    doc = awkward_document()
    for fmt in ("conll", "genia-jsonl"):
        rep = write([doc], tmp_path / f"x.{fmt}", fmt)
        assert rep.lossy["spans crossing a sentence boundary (dropped)"] == 1, fmt
        assert rep.lossy["discontinuous spans written as their covering span"] == 1, fmt
        # the span inside a token is moved to the token (expand), not dropped
        assert rep.lossy["spans moved to token boundaries (expand)"] == 1, fmt
        # conll: the moved span now overlaps 'IL-2' protein and is flattened away (counted)
        flattened = rep.lossy.get("nested/overlapping spans dropped (flatten=outermost)", 0)
        assert (rep.spans, flattened) == ((2, 1) if fmt == "conll" else (3, 0)), fmt


def test_char_writers_keep_everything(tmp_path: Path) -> None:
    doc = awkward_document()
    for fmt, target in (
        ("brat", tmp_path / "b"),
        ("bioc-xml", tmp_path / "x.xml"),
        ("jsonl", tmp_path / "x.jsonl"),
    ):
        rep = write([doc], target, fmt)
        assert rep.lossy == {} and rep.spans == 4, fmt
        back = read(target, fmt).documents[0]
        assert sorted((s.start, s.end, s.label, s.fragments) for s in back.layer()) == sorted(
            (s.start, s.end, s.label, s.fragments) for s in doc.layer()
        ), fmt


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.text(alphabet="ab .,-XY12é", min_size=1).filter(str.strip), min_size=1, max_size=5
    )
)
def test_text_per_line_round_trip(tmp_path: Path, lines: list[str]) -> None:
    f = tmp_path / "in.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = read(f, "text", per_line=True).documents
    assert [d.text for d in docs] == lines
    write(docs, tmp_path / "out.txt", "text", per_line=True)
    assert [d.text for d in read(tmp_path / "out.txt", "text", per_line=True).documents] == lines


def test_io_does_not_import_torch() -> None:
    code = (
        "import sys, mosaicner.io as io\n"
        "for name in io.FORMATS:\n"
        "    if name != 'actions':\n"
        "        io.get_format(name)._module()\n"
        "import mosaicner.data.flatten, mosaicner.data.nesting\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
