"""Download from a file:// mirror laid out like raw.githubusercontent.com (no network here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mosaicner.corpora.download import download_corpus, sha256_file
from mosaicner.corpora.registry import CORPORA, GITHUB_RAW
from mosaicner.errors import DataError, MissingFileError, UnknownComponentError


def _mirror(data_dir: Path, tmp_path: Path, name: str) -> Path:
    mirror = tmp_path / "mirror"
    info = CORPORA[name]
    for spec in info.files:
        if spec.remote is None:
            continue
        target = mirror / spec.remote
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / info.folder / spec.local, target)
    return mirror


def test_registry_urls_are_pinned_and_checksummed() -> None:
    for info in CORPORA.values():
        for spec in info.files:
            assert spec.sha256 is not None and len(spec.sha256) == 64
            if spec.remote is not None:
                url = spec.url()
                assert url is not None and url.startswith(GITHUB_RAW)
                assert any(
                    pin in url
                    for pin in (
                        "cambridgeltl/MTL-Bioinformatics-2016/"
                        "df0df02fae6dbb87d88ffcf323b9096528f06f84/",
                        "yhcc/CNN_Nested_NER/d1c9fae196e2d7692f3d5afd86694dd933b08d71/",
                        "leondz/emerging_entities_17/e52a2d2a71ac1a051ca2d532eef28653c5c02603/",
                    )
                ), url
    assert CORPORA["GENIA-nested"].files[0].remote is None  # train must be rebuilt


@pytest.mark.parametrize("name", list(CORPORA))
def test_checksums_match_the_shared_copies(data_dir: Path, name: str) -> None:
    info = CORPORA[name]
    for spec in info.files:
        path = data_dir / info.folder / spec.local
        assert path.stat().st_size == spec.size, spec.local
        assert sha256_file(path) == spec.sha256, spec.local


def test_wnut17_download_renames_the_source_files(data_dir: Path, tmp_path: Path) -> None:
    # the source names differ from the local ones; the bytes are the same (no conversion)
    info = CORPORA["WNUT-17"]
    assert {s.local: s.remote.rsplit("/", 1)[1] for s in info.files if s.remote} == {
        "train.tsv": "wnut17train.conll",
        "devel.tsv": "emerging.dev.conll",
        "test.tsv": "emerging.test.annotated",
    }
    mirror = _mirror(data_dir, tmp_path, "WNUT-17")
    dest = tmp_path / "data"
    report = download_corpus("wnut17", dest, url_base=mirror.as_uri())
    assert sorted(report.downloaded) == ["devel.tsv", "test.tsv", "train.tsv"]
    assert report.complete and report.bytes == 493781 + 114749 + 192425
    for f in ("train.tsv", "devel.tsv", "test.tsv"):
        assert (dest / "WNUT-17" / f).read_bytes() == (data_dir / "WNUT-17" / f).read_bytes()


def test_download_verify_skip_and_progress(data_dir: Path, tmp_path: Path) -> None:
    mirror = _mirror(data_dir, tmp_path, "NCBI-disease")
    dest = tmp_path / "data"
    seen: list[tuple[str, int]] = []
    report = download_corpus(
        "ncbi-disease",
        dest,
        url_base=mirror.as_uri(),
        progress=lambda spec, done, total: seen.append((spec.local, done)),
    )
    assert sorted(report.downloaded) == ["devel.tsv", "test.tsv", "train.tsv"]
    assert report.complete and report.bytes == 1137445 + 200352 + 205664
    for f in ("train.tsv", "devel.tsv", "test.tsv"):
        assert (dest / "NCBI-disease" / f).read_bytes() == (
            data_dir / "NCBI-disease" / f
        ).read_bytes()
    assert not list((dest / "NCBI-disease").glob("*.part"))
    assert seen and seen[-1][1] > 0
    again = download_corpus("NCBI-disease", dest, url_base=mirror.as_uri())
    assert again.downloaded == [] and len(again.skipped) == 3


def test_checksum_mismatch_leaves_nothing(data_dir: Path, tmp_path: Path) -> None:
    mirror = _mirror(data_dir, tmp_path, "NCBI-disease")
    spec = CORPORA["NCBI-disease"].files[1]
    assert spec.remote is not None
    (mirror / spec.remote).write_text("tampered\tO\n\n")
    dest = tmp_path / "data"
    with pytest.raises(DataError, match="checksum mismatch"):
        download_corpus("NCBI-disease", dest, url_base=mirror.as_uri())
    folder = dest / "NCBI-disease"
    assert not (folder / spec.local).exists()
    assert not list(folder.glob("*.part"))


def test_missing_source_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="could not download"):
        download_corpus("BC5CDR", tmp_path / "d", url_base=(tmp_path / "empty").as_uri())


def test_genia_train_is_reported_unavailable(data_dir: Path, tmp_path: Path) -> None:
    mirror = _mirror(data_dir, tmp_path, "GENIA-nested")
    report = download_corpus("GENIA-nested", tmp_path / "data", url_base=mirror.as_uri())
    assert sorted(report.downloaded) == [
        "dev.jsonlines",
        "splits/dev.txt",
        "splits/test.txt",
        "splits/train.txt",
        "test.jsonlines",
    ]
    assert [name for name, _ in report.unavailable] == ["train.jsonlines"]
    assert "GENIAcorpus3.02" in report.unavailable[0][1]
    assert not report.complete


def test_unknown_corpus() -> None:
    with pytest.raises(UnknownComponentError, match="BC2GM"):
        download_corpus("BC2GN")
