from __future__ import annotations

import subprocess
import sys

import pytest

from mosaicner.data import Document, Span, align_document, char_to_token, tokenize
from mosaicner.errors import AlignmentError, OffsetError


def test_from_sentences_text_and_offsets() -> None:
    doc = Document.from_sentences(
        "d", [["IL", "-", "2"], ["T", "cells"]], [[(0, 3, "protein")], [(0, 2, "cell_type")]]
    )
    assert doc.text == "IL - 2 T cells"
    spans = doc.layer("gold")
    assert [doc.span_text(s) for s in spans] == ["IL - 2", "T cells"]
    assert spans[1].token_span == (3, 5)
    exs = list(doc.sentence_examples())
    assert exs[1].words == ("T", "cells") and exs[1].spans == ((0, 2, "cell_type"),)


def test_offsets_outside_text_raise() -> None:
    with pytest.raises(OffsetError):
        Document("d", "abc", spans={"gold": (Span(1, 9, "X"),)})


@pytest.mark.parametrize(
    ("mode", "start", "end", "expected"),
    [("strict", 0, 6, (0, 3)), ("contract", 1, 6, (1, 3)), ("expand", 1, 5, (0, 2))],
)
def test_alignment_modes(mode: str, start: int, end: int, expected: tuple[int, int]) -> None:
    toks = tokenize("IL - 2 cells")
    assert char_to_token(toks, start, end, mode) == expected  # type: ignore[arg-type]


def test_strict_misalignment_is_reported() -> None:
    toks = tokenize("IL - 2 cells")
    with pytest.raises(AlignmentError):
        char_to_token(toks, 1, 6, "strict")
    doc = Document(
        "d", "IL - 2 cells", tuple(toks), spans={"gold": (Span(1, 6, "X"), Span(7, 12, "Y"))}
    )
    aligned, report = align_document(doc, "strict")
    assert report.failed == 1 and report.exact == 1 and not report.lossless
    assert aligned.layer()[1].token_span == (3, 4)


def test_core_does_not_import_torch() -> None:
    code = (
        "import sys, mosaicner, mosaicner.data, mosaicner.io, mosaicner.errors;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
