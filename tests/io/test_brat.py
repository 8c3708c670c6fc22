from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from io_strategies import char_documents, char_view

from mosaicner.data.model import Document
from mosaicner.errors import FormatError, MissingFileError, OffsetError
from mosaicner.io import read, write

TEXT = "Aspirin causes Reye syndrome.\nIL-2 and IL-4 genes are p53mutant."
ANN = (
    "T1\tChemical 0 7\tAspirin\n"
    "T2\tDisease 15 28\tReye syndrome\n"
    "N1\tReference T2 MESH:D012202\tReye Syndrome\n"
    "A1\tNegated T1\n"
    "A2\tCertainty T2 high\n"
    "#1\tAnnotatorNotes T2\tchecked\n"
    "R1\tCause Arg1:T1 Arg2:T2\n"
    "T3\tGene 30 32;44 49\tIL genes\n"
    "T4\tGene 54 57\tp53\n"
    "T5\tGene 39 43\tIL-5\n"
)


def make(tmp_path: Path, text: str = TEXT, ann: str = ANN) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "doc1.txt").write_text(text)
    (tmp_path / "doc1.ann").write_text(ann)
    return tmp_path


def test_read_entities_fragments_and_attributes(tmp_path: Path) -> None:
    res = read(make(tmp_path), "brat")
    (doc,) = res.documents
    by_id = {s.attrs["brat_id"]: s for s in doc.layer()}
    assert doc.span_text(by_id["T3"]) == "IL genes"
    assert by_id["T3"].fragments == ((30, 32), (44, 49)) and by_id["T3"].end == 49
    assert by_id["T2"].attrs["identifier"] == "MESH:D012202"
    assert by_id["T2"].attrs["attr:Certainty"] == "high"
    assert by_id["T1"].attrs["attr:Negated"] == "true"
    assert by_id["T2"].attrs["note:AnnotatorNotes"] == "checked"
    assert (by_id["T2"].token_start, by_id["T2"].token_end) == (2, 4)
    assert doc.metadata["brat_other"] == ["R1\tCause Arg1:T1 Arg2:T2"]
    rep = res.report
    assert len(doc.sentences) == 2 and rep.spans == 5
    # T4 'p53' lies inside the token 'p53mutant': kept, not aligned, reported
    assert by_id["T4"].token_start is None
    assert rep.alignment is not None and rep.alignment.failed == 1
    # T5 states 'IL-5' but the text says 'IL-4': counted
    assert rep.lossy["entity texts that differ from the .txt (the .txt is kept)"] == 1
    assert rep.lossy["relation/event/other .ann lines (kept only in metadata)"] == 1


def test_write_read_keeps_everything(tmp_path: Path) -> None:
    docs = read(make(tmp_path / "in"), "brat").documents
    rep = write(docs, tmp_path / "out", "brat")
    assert rep.documents == 1 and rep.spans == 5 and rep.lossy == {}
    back = read(tmp_path / "out", "brat").documents
    assert back == docs
    assert [dict(s.attrs) for s in back[0].layer()] == [dict(s.attrs) for s in docs[0].layer()]
    assert "R1\tCause Arg1:T1 Arg2:T2" in (tmp_path / "out" / "doc1.ann").read_text()
    # a single .txt or .ann of the pair works too
    assert read(tmp_path / "out" / "doc1.ann", "brat").documents == back
    assert read(tmp_path / "out" / "doc1.txt", "brat").documents == back


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=char_documents())
def test_round_trip_char_spans(tmp_path: Path, docs: list[Document]) -> None:
    out = tmp_path / "rt"
    for f in out.glob("*"):
        f.unlink()
    write(docs, out, "brat")
    res = read(out, "brat")
    assert char_view(res.documents) == char_view(docs)
    assert res.report.lossy.get("entity texts that differ from the .txt (the .txt is kept)") is None


def test_error_offsets_outside_the_text(tmp_path: Path) -> None:
    make(tmp_path, "short", "T1\tGene 0 3\tsho\nT2\tGene 2 40\tx\n")
    with pytest.raises(OffsetError, match=rf"{tmp_path / 'doc1.ann'}:2: "):
        read(tmp_path, "brat")


def test_error_ann_without_txt(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a.ann").write_text("")
    (tmp_path / "b.ann").write_text("T1\tGene 0 1\tx\n")
    with pytest.raises(MissingFileError, match=r"b\.ann: b\.ann has no text file b\.txt"):
        read(tmp_path, "brat")
    with pytest.raises(MissingFileError, match=r"b\.txt"):
        read(tmp_path / "b.ann", "brat")


def test_error_bad_entity_line(tmp_path: Path) -> None:
    make(tmp_path, "abc", "T1\tGene zero 3\tabc\n")
    with pytest.raises(FormatError, match=rf"{tmp_path / 'doc1.ann'}:1: "):
        read(tmp_path, "brat")


def test_txt_without_ann_is_a_document_without_spans(tmp_path: Path) -> None:
    (tmp_path / "only.txt").write_text("Some text.")
    (doc,) = read(tmp_path, "brat").documents
    assert doc.id == "only" and doc.layer() == ()


@pytest.mark.parametrize("offsets", ["0 " + "9" * 5000, "\u0660 4", "0 \uff14"])
def test_offsets_must_be_bounded_ascii_digits(tmp_path: Path, offsets: str) -> None:
    (tmp_path / "d.txt").write_text("IL-2 binds.", encoding="utf-8")
    (tmp_path / "d.ann").write_text(f"T1\tGene {offsets}\tIL-2\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"d.ann:1: "):
        read(tmp_path, "brat")
