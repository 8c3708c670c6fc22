from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from io_strategies import documents, token_view

from mosaicner.data.model import Document
from mosaicner.errors import (
    ColumnCountError,
    EmptyFileError,
    EncodingError,
    TagPrefixError,
    TagSequenceError,
)
from mosaicner.io import read, write

SAMPLE = (
    "-DOCSTART-\tO\n\nIL\tB-protein\n-\tI-protein\n2\tI-protein\nbinds\tO\n\n"
    "T\tB-cell\ncells\tI-cell\n\n"
)


def test_read_documents_sentences_and_text(tmp_path: Path) -> None:
    f = tmp_path / "train.tsv"
    f.write_text(SAMPLE + "-DOCSTART-\tO\n\naspirin\tB-Chemical\n\n")
    res = read(f, "conll")
    assert [d.id for d in res.documents] == ["train-0", "train-1"]
    doc = res.documents[0]
    assert doc.text == "IL - 2 binds T cells"
    assert [doc.span_text(s) for s in doc.layer("gold")] == ["IL - 2", "T cells"]
    assert [(s.token_start, s.token_end) for s in doc.layer("gold")] == [(0, 3), (4, 6)]
    assert len(doc.sentences) == 2
    r = res.report
    assert (r.documents, r.sentences, r.spans, r.repaired) == (2, 3, 3, 0)


def test_file_without_docstart_is_one_document(tmp_path: Path) -> None:
    f = tmp_path / "dev.tsv"
    f.write_text("a\tO\n\nb\tB-X\n")  # no final blank line
    (doc,) = read(f, "conll").documents
    assert doc.id == "dev" and doc.text == "a b" and len(doc.sentences) == 2


def test_write_nested_flattens_and_reports(tmp_path: Path) -> None:
    doc = Document.from_sentences(
        "d", [["a", "b", "c", "d"]], [[(0, 3, "DNA"), (1, 2, "protein"), (3, 4, "RNA")]]
    )
    rep = write([doc], tmp_path / "o.tsv", "conll")
    assert rep.lossy == {"nested/overlapping spans dropped (flatten=outermost)": 1}
    assert (tmp_path / "o.tsv").read_text() == "a\tB-DNA\nb\tI-DNA\nc\tI-DNA\nd\tB-RNA\n\n"
    rep = write([doc], tmp_path / "i.tsv", "conll", flatten="innermost", scheme="iobes")
    assert rep.lossy == {"nested/overlapping spans dropped (flatten=innermost)": 1}
    assert (tmp_path / "i.tsv").read_text() == "a\tO\nb\tS-protein\nc\tO\nd\tS-RNA\n\n"


def test_schemes_and_columns(tmp_path: Path) -> None:
    f = tmp_path / "c.txt"
    f.write_text("EU NNP I-ORG\nrejects VBZ O\nGerman JJ I-MISC\n\n")
    (doc,) = read(f, "conll", scheme="iob1", separator="whitespace", columns=3).documents
    assert [(s.token_start, s.token_end, s.label) for s in doc.layer()] == [
        (0, 1, "ORG"),
        (2, 3, "MISC"),
    ]


def test_lenient_repairs_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "x.tsv"
    f.write_text("a\tO\nb\tI-X\nc\tI-X\n\n")
    res = read(f, "conll", strict=False)
    assert res.report.repaired == 1
    assert [(s.token_start, s.token_end) for s in res.documents[0].layer()] == [(1, 3)]


# ---------------------------------------------------------------- one test per error kind
def test_error_i_after_o_strict(tmp_path: Path) -> None:
    f = tmp_path / "bad.tsv"
    f.write_text("a\tO\nb\tO\nc\tI-Disease\n\n")
    with pytest.raises(TagSequenceError, match=rf"{f}:3: "):
        read(f, "conll")


def test_error_wrong_column_count(tmp_path: Path) -> None:
    f = tmp_path / "bad.tsv"
    f.write_text("a\tO\textra\nb\tO\n\n")
    with pytest.raises(
        ColumnCountError, match=rf"{f}:1: .*expected 2 tab-separated columns \(token, tag\)"
    ):
        read(f, "conll")


def test_error_unknown_prefix(tmp_path: Path) -> None:
    f = tmp_path / "bad.tsv"
    f.write_text("a\tO\nb\tU-Gene\n\n")
    with pytest.raises(TagPrefixError, match=rf"{f}:2: "):
        read(f, "conll")


def test_error_bad_utf8(tmp_path: Path) -> None:
    f = tmp_path / "bad.tsv"
    f.write_bytes(b"a\tO\n\xff\tO\n")
    with pytest.raises(EncodingError, match=rf"{f}:2: "):
        read(f, "conll")


def test_error_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.tsv"
    f.write_text("\n\n")
    with pytest.raises(EmptyFileError, match=rf"{f}:1: "):
        read(f, "conll")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=documents(nested=False))
def test_round_trip_flat(tmp_path: Path, docs: list[Document]) -> None:
    for scheme in ("iob2", "iobes", "iob1"):
        f = tmp_path / "rt.tsv"
        rep = write(docs, f, "conll", scheme=scheme)
        assert rep.lossy == {}
        back = read(f, "conll", scheme=scheme).documents
        assert token_view(back) == token_view(docs)
        assert [d.text for d in back] == [d.text for d in docs]


def test_real_corpus_round_trip_is_byte_identical(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "JNLPBA" / "devel.tsv"
    res = read(src, "conll")
    assert (res.report.documents, res.report.sentences, res.report.spans) == (200, 1739, 4551)
    write(res.documents, tmp_path / "out.tsv", "conll")
    assert (tmp_path / "out.tsv").read_bytes() == src.read_bytes()


def test_read_speed_bc5cdr(data_dir: Path) -> None:
    t = time.perf_counter()
    res = read(data_dir / "BC5CDR" / "test.tsv", "conll")
    assert time.perf_counter() - t < 5.0  # ~1 s here; generous for a loaded machine
    assert res.report.spans == 9809
