"""CLI: corpora list/stats/validate/download and convert (in-process, plus a few subprocesses)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.corpora.registry import CORPORA

REPO = Path(__file__).resolve().parents[2]
EXE = REPO / ".venv" / "bin" / "mosaicner"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture()
def bad_files(tmp_path: Path) -> tuple[Path, Path]:
    tag_seq = tmp_path / "tags.tsv"
    tag_seq.write_text("Aspirin\tO\ncauses\tO\nheadache\tI-Disease\n\n")
    columns = tmp_path / "cols.tsv"
    columns.write_text("Aspirin\tB-Chemical\textra\ncauses\tO\n\n")
    return tag_seq, columns


def test_list(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--data-dir", str(data_dir), "corpora", "list", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    rows = {row["name"]: row for row in payload["corpora"]}
    assert list(rows) == list(CORPORA)
    assert all(row["present_splits"] == ["train", "dev", "test"] for row in rows.values())
    assert rows["BC5CDR"]["types"] == ["Chemical", "Disease"]
    code, out, _ = run(["--data-dir", str(tmp_path), "corpora", "list"], capsys)
    assert code == 0 and "absent" in out and "GENIA-nested" in out


def test_stats_table_and_split(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--data-dir", str(data_dir), "corpora", "stats", "NCBI-disease"], capsys)
    assert code == 0 and "5424" in out and "Disease" in out
    code, out, _ = run(
        ["corpora", "stats", str(data_dir / "GENIA-nested"), "--split", "test", "--format", "json"],
        capsys,
    )
    assert code == 0
    assert json.loads(out) == {
        "corpus": "GENIA-nested",
        "splits": {
            "test": {
                "documents": 199,
                "sentences": 1732,
                "tokens": 46873,
                "mentions": {"DNA": 1132, "RNA": 106, "cell_line": 403, "cell_type": 578,
                             "protein": 2900},
                "nested_mentions": 603,
            }
        },
    }  # fmt: skip


def test_stats_single_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["corpora", "stats", str(data_dir / "NCBI-disease" / "devel.tsv"), "--format", "json"],
        capsys,
    )
    assert code == 0
    got = json.loads(out)
    assert got["corpus"] == "NCBI-disease" and list(got["splits"]) == ["dev"]
    assert got["splits"]["dev"]["sentences"] == 923


def test_missing_split_and_unknown_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mine"
    root.mkdir()
    (root / "train.tsv").write_text("a\tB-X\n\n")
    code, _, err = run(["corpora", "stats", str(root), "--split", "devel"], capsys)
    assert code == 2 and "has no 'dev' split" in err and "Traceback" not in err
    code, _, err = run(["--data-dir", str(tmp_path), "corpora", "stats", "linaeus"], capsys)
    assert code == 2 and "did you mean 'linnaeus'" in err


def test_validate_exit_codes(
    bad_files: tuple[Path, Path], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag_seq, columns = bad_files
    code, _, err = run(["corpora", "validate", str(tag_seq)], capsys)
    assert code == 2 and f"{tag_seq}:3:" in err and "I-Disease" in err
    code, _, err = run(["corpora", "validate", str(columns)], capsys)
    assert code == 2 and f"{columns}:1:" in err
    code, out, _ = run(["corpora", "validate", str(tag_seq), "--format", "json"], capsys)
    assert code == 2 and json.loads(out)["counts"] == {"tag-sequence": 1}
    code, out, _ = run(["corpora", "validate", str(data_dir / "BC5CDR" / "test.tsv")], capsys)
    assert code == 0 and "OK" in out


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_bad_files_subprocess_no_traceback(bad_files: tuple[Path, Path], command: str) -> None:
    for path, line in zip(bad_files, (3, 1), strict=True):
        proc = subprocess.run(
            [str(EXE), "corpora", command, str(path)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2, proc.stderr
        assert f"{path}:{line}:" in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout


def test_convert_bad_file_subprocess(bad_files: tuple[Path, Path], tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(EXE), "convert", str(bad_files[0]), str(tmp_path / "o.jsonl"), "--from", "conll",
         "--to", "jsonl"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {bad_files[0]}:3:")
    assert "Traceback" not in proc.stderr


def _sentences(
    path: Path, fmt: str
) -> list[tuple[tuple[str, ...], tuple[tuple[int, int, str], ...]]]:
    from mosaicner import io

    docs = io.read(path, fmt).documents
    return [(ex.words, tuple(sorted(ex.spans))) for d in docs for ex in d.sentence_examples()]


def test_convert_bc5cdr_conll_bioc_xml_conll(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = data_dir / "BC5CDR" / "test.tsv"
    xml = tmp_path / "test.xml"
    back = tmp_path / "back.tsv"
    code, out, _ = run(
        ["convert", str(src), str(xml), "--from", "conll", "--to", "bioc-xml"], capsys
    )
    assert code == 0 and "9809 spans" in out
    code, out, _ = run(
        ["convert", str(xml), str(back), "--from", "bioc-xml", "--to", "conll", "--format", "json"],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    assert report["write"]["lossy"] == {} and report["read"]["spans"] == 9809
    original = _sentences(src, "conll")
    assert len(original) == 4797
    assert _sentences(back, "conll") == original
    assert back.read_bytes() == src.read_bytes()


def test_convert_genia_nested_keeps_every_nested_mention(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = data_dir / "GENIA-nested" / "test.jsonlines"
    mid = tmp_path / "test.jsonl"
    back = tmp_path / "back.jsonlines"
    assert (
        run(["convert", str(src), str(mid), "--from", "genia-jsonl", "--to", "jsonl"], capsys)[0]
        == 0
    )
    code, out, _ = run(
        ["convert", str(mid), str(back), "--from", "jsonl", "--to", "genia-jsonl"], capsys
    )
    assert code == 0 and "lossless" in out

    def mentions(path: Path) -> Counter[tuple[str, int, int, str]]:
        found: Counter[tuple[str, int, int, str]] = Counter()
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            for m in rec["entity_mentions"]:
                found[(rec["sent_id"], m["start"], m["end"], m["entity_type"])] += 1
        return found

    before, after = mentions(src), mentions(back)
    assert sum(before.values()) == 5119
    assert after == before


def test_convert_reports_lossy_flattening(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = data_dir / "GENIA-nested" / "dev.jsonlines"
    code, out, _ = run(
        ["convert", str(src), str(tmp_path / "flat.tsv"), "--to", "conll", "--format", "json"],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    assert report["read"]["format"] == "genia-jsonl"
    assert sum(report["write"]["lossy"].values()) > 0
    assert report["write"]["spans"] + sum(report["write"]["lossy"].values()) == 4714


def test_convert_with_label_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.tsv"
    src.write_text("IL-2\tB-GENE\nbinds\tO\nDNA\tB-Other\n\n")
    ymap = tmp_path / "map.yaml"
    ymap.write_text("name: mine\nmap:\n  GENE: Gene_or_protein\n")
    code, _, err = run(
        ["convert", str(src), str(tmp_path / "o.jsonl"), "--to", "jsonl", "--label-map", str(ymap)],
        capsys,
    )
    assert code == 2 and err.startswith(f"error: {ymap}:2: ") and "'Other'" in err
    ymap.write_text("name: mine\nmap:\n  GENE: Gene_or_protein\n  Other: null\n")
    code, out, _ = run(
        ["convert", str(src), str(tmp_path / "o.tsv"), "--to", "conll", "--label-map", str(ymap)],
        capsys,
    )
    assert code == 0 and "dropped Other: 1" in out
    assert "B-Gene_or_protein" in (tmp_path / "o.tsv").read_text()


def test_download_from_mirror(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    for spec in CORPORA["NCBI-disease"].files:
        assert spec.remote is not None
        (mirror / spec.remote).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / "NCBI-disease" / spec.local, mirror / spec.remote)
    dest = tmp_path / "data"
    args = ["corpora", "download", "NCBI-disease", "--dest", str(dest), "--url-base",
            mirror.as_uri(), "--quiet"]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0 and "3 downloaded" in out
    code, out, _ = run(["--data-dir", str(dest), "corpora", "stats", "NCBI-disease", "--format",
                        "json"], capsys)  # fmt: skip
    assert code == 0 and json.loads(out)["splits"]["test"]["mentions"] == {"Disease": 960}


def test_python_m_entry_has_no_traceback_on_unknown_format(tmp_path: Path) -> None:
    src = tmp_path / "x.tsv"
    src.write_text("a\tO\n\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from mosaicner.cli.main import main; main()", "convert", str(src),
         str(tmp_path / "y"), "--to", "bioc-yaml"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and "did you mean 'bioc-xml'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_info(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["--data-dir", str(data_dir), "corpora", "info", "genia", "--format", "json"], capsys
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["name"] == "GENIA-nested" and payload["nested"]
    assert payload["label_map"]["map"]["protein"] == "Gene_or_protein"
    train = next(f for f in payload["files"] if f["file"] == "train.jsonlines")
    assert train["url"] is None and "GENIAcorpus3.02" in train["note"] and train["present"]
    code, out, _ = run(["corpora", "info", "BC5CDR"], capsys)
    assert code == 0 and "Public Domain Mark" in out
