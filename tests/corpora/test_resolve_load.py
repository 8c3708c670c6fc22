from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.corpora import (
    iter_sentences,
    load_corpus,
    normalise_split,
    read_corpus,
    resolve_corpus,
)
from mosaicner.errors import MissingFileError, MissingSplitError, UnknownComponentError
from mosaicner.schema import builtin_map

TSV = "IL-2\tB-protein\ngene\tO\n\nNF-kB\tB-protein\nbinds\tO\n\n"


def _genia_line(tokens: list[str], mentions: list[tuple[int, int, str]], doc: str = "D1") -> str:
    return json.dumps(
        {
            "tokens": tokens,
            "doc_id": doc,
            "sent_id": f"{doc}-0",
            "entity_mentions": [
                {"start": s, "end": e, "entity_type": t, "text": " ".join(tokens[s:e])}
                for s, e, t in mentions
            ],
        }
    )


def test_split_names_are_normalised() -> None:
    assert [normalise_split(s) for s in ("devel", "Validation", "train", "test")] == [
        "dev",
        "dev",
        "train",
        "test",
    ]


def test_registry_name_in_data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAICNER_DATA", str(data_dir))
    r = resolve_corpus("ncbi_disease")  # alias, case and separator insensitive
    assert r.name == "NCBI-disease" and r.format == "conll"
    assert list(r.files) == ["train", "dev", "test"]
    assert r.files["dev"].name == "devel.tsv"
    g = resolve_corpus("genia")
    assert g.format == "genia-jsonl" and g.files["dev"].name == "dev.jsonlines"


def test_unknown_name_suggests_close_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAICNER_DATA", str(tmp_path))
    with pytest.raises(UnknownComponentError) as exc:
        resolve_corpus("BC5CRD")
    assert "did you mean 'BC5CDR'" in str(exc.value)


def test_registered_corpus_absent_from_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_DATA", str(tmp_path))
    with pytest.raises(MissingFileError, match="corpora download BC5CDR"):
        resolve_corpus("BC5CDR")


def test_any_directory_with_detected_format(tmp_path: Path) -> None:
    root = tmp_path / "mycorpus"
    root.mkdir()
    (root / "train.tsv").write_text(TSV)
    (root / "devel.tsv").write_text(TSV)
    corpus, reports = read_corpus(root)
    assert corpus.name == "mycorpus"
    assert list(corpus.splits) == ["train", "dev"]
    assert corpus.labels == ("protein",)
    assert reports["dev"].spans == 2
    assert corpus.provenance.source == str(root)
    with pytest.raises(MissingSplitError) as exc:
        load_corpus(root, ["test"])
    assert "one of train, dev" in str(exc.value)
    assert exc.value.file == str(root)


def test_genia_style_jsonl_is_sniffed(tmp_path: Path) -> None:
    root = tmp_path / "nested"
    root.mkdir()
    line = _genia_line(["IL-2", "receptor", "alpha"], [(0, 3, "protein"), (0, 1, "protein")])
    (root / "dev.jsonl").write_text(line + "\n")
    r = resolve_corpus(root)
    assert r.format == "genia-jsonl" and list(r.files) == ["dev"]
    (ex,) = iter_sentences(r, "dev")
    assert ex.words == ("IL-2", "receptor", "alpha")
    assert sorted(ex.spans) == [(0, 1, "protein"), (0, 3, "protein")]
    assert ex.corpus == "nested"


def test_single_file(tmp_path: Path) -> None:
    f = tmp_path / "BC5CDR" / "test.tsv"
    f.parent.mkdir()
    f.write_text(TSV)
    r = resolve_corpus(f)
    assert (r.name, list(r.files)) == ("BC5CDR", ["test"])
    other = tmp_path / "sample.conll"
    other.write_text(TSV)
    r2 = resolve_corpus(other)
    assert (r2.name, list(r2.files), r2.format) == ("sample", ["all"], "conll")


def test_missing_registry_split_explains_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "GENIA-nested"
    root.mkdir()
    (root / "dev.jsonlines").write_text(_genia_line(["a"], [(0, 1, "DNA")]) + "\n")
    monkeypatch.setenv("MOSAICNER_DATA", str(tmp_path))
    r = resolve_corpus("GENIA-nested")
    assert list(r.files) == ["dev"] and r.missing == ("train", "test")
    with pytest.raises(MissingSplitError) as exc:
        load_corpus("GENIA-nested", ["train"])
    assert "GENIAcorpus3.02" in str(exc.value)


def test_load_with_provenance_and_harmonise(data_dir: Path) -> None:
    corpus = load_corpus(data_dir / "BioNLP13CG", ["dev"])
    assert corpus.name == "BioNLP13CG"
    assert "CC BY-SA 3.0" in corpus.provenance.licence
    assert "Cancer Genetics" in corpus.provenance.citation
    assert corpus.provenance.url.startswith("https://github.com/")
    docs, report = builtin_map(corpus.name).apply(corpus.split("dev"))
    assert report.total_in == report.total_out == 3616
    assert not report.dropped and not report.merged
    labels = [s.label for d in docs for s in d.layer()]
    assert labels.count("Chemical") == 446 + 33  # Simple_chemical + Amino_acid
    assert labels.count("Disease") == 432  # Cancer
    assert labels.count("Anatomy") == 3 + 95 + 5 + 19 + 138 + 71 + 12 + 36 + 44 + 86


def test_bioc_split_files_and_brat_folder(tmp_path: Path) -> None:
    from mosaicner import io

    src = tmp_path / "src.tsv"
    src.write_text(TSV)
    docs = io.read(src, "conll").documents
    bioc = tmp_path / "bioc"
    bioc.mkdir()
    io.write(docs, bioc / "train.xml", "bioc-xml")
    io.write(docs, bioc / "test.xml", "bioc-xml")
    r = resolve_corpus(bioc)
    assert (r.format, list(r.files)) == ("bioc-xml", ["train", "test"])
    assert load_corpus(bioc).split("test")[0].layer() == docs[0].layer()
    brat = tmp_path / "brat"
    io.write(docs, brat, "brat")
    rb = resolve_corpus(brat)
    assert (rb.format, list(rb.files)) == ("brat", ["all"])
    assert sum(len(d.layer()) for d in load_corpus(brat).split("all")) == 2


def test_paths_relative_to_data_dir_and_missing_paths(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOSAICNER_DATA", str(data_dir))
    r = resolve_corpus("BC5CDR/devel.tsv")
    assert (r.name, list(r.files)) == ("BC5CDR", ["dev"]) and r.info is not None
    with pytest.raises(MissingFileError, match="no such file or directory"):
        resolve_corpus("nowhere/train.tsv")
