from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from io_strategies import char_documents, char_view

from mosaicner.data.model import Document
from mosaicner.errors import FormatError, OffsetError
from mosaicner.io import read, write

SAMPLE = (
    "227508|t|Naloxone reverses the antihypertensive effect of clonidine.\n"
    "227508|a|In spontaneously hypertensive rats the decrease in blood pressure was reversed.\n"
    "227508\t0\t8\tNaloxone\tChemical\tD009270\n"
    "227508\t49\t58\tclonidine\tChemical\tD003000\n"
    "227508\t77\t89\thypertensive\tDisease\tD006973\n"
    "227508\tCID\tD009270\tD006973\n"
    "\n"
    "354896|t|Lidocaine-induced cardiac asystole.\n"
    "354896|a|Lidocaine given.\n"
    "354896\t0\t9\tLidocaine\tChemical\tD008012\n"
    "354896\t18\t34\tcardiac asystole\tDisease\tD006323\n"
    "\n"
)


def test_read_offsets_ids_and_passages(tmp_path: Path) -> None:
    f = tmp_path / "cdr.txt"
    f.write_text(SAMPLE)
    res = read(f, "pubtator")
    d1, d2 = res.documents
    title = "Naloxone reverses the antihypertensive effect of clonidine."
    assert d1.text.startswith(title + "\n") and d1.text.index("In ") == len(title) + 1
    assert [(d1.span_text(s), s.attrs["identifier"]) for s in d1.layer()] == [
        ("Naloxone", "D009270"),
        ("clonidine", "D003000"),
        ("hypertensive", "D006973"),
    ]
    assert all(s.token_start is not None for s in d1.layer())
    # the title is its own sentence even without a final period
    assert d2.sentences[0].end == len("Lidocaine-induced cardiac asystole.")
    assert len(d1.sentences) == 2
    assert d1.metadata["pubtator_relations"] == ["227508\tCID\tD009270\tD006973"]
    assert res.report.lossy == {"relation lines (kept only in metadata)": 1}


def test_write_is_byte_identical(tmp_path: Path) -> None:
    f = tmp_path / "cdr.txt"
    f.write_text(SAMPLE)
    rep = write(read(f, "pubtator").documents, tmp_path / "out.txt", "pubtator")
    assert rep.lossy == {} and rep.spans == 5
    assert (tmp_path / "out.txt").read_text() == SAMPLE


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=char_documents(newlines=False, fragments=False))
def test_round_trip(tmp_path: Path, docs: list[Document]) -> None:
    f = tmp_path / "rt.txt"
    rep = write(docs, f, "pubtator")
    assert rep.lossy == {}
    assert char_view(read(f, "pubtator").documents) == char_view(docs)


def test_error_offsets_outside_the_text(tmp_path: Path) -> None:
    f = tmp_path / "bad.txt"
    f.write_text("1|t|Short.\n1|a|Text.\n1\t3\t40\tx\tGene\n")
    with pytest.raises(OffsetError, match=rf"{f}:3: "):
        read(f, "pubtator")


def test_error_malformed_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.txt"
    f.write_text("1|t|Short.\nthis is not pubtator\n")
    with pytest.raises(FormatError, match=rf"{f}:2: "):
        read(f, "pubtator")


@pytest.mark.parametrize("offset", ["\u00b2", "\u0663", "\uff13", "9" * 5000])
def test_offsets_must_be_ascii_digits(tmp_path: Path, offset: str) -> None:
    f = tmp_path / "bad.pubtator"
    f.write_text(f"1|t|Aspirin works\n1|a|\n1\t{offset}\t7\tAspirin\tChemical\n", encoding="utf-8")
    with pytest.raises(FormatError, match=rf"{f}:3: start offset .*ASCII digits"):
        read(f, "pubtator")
