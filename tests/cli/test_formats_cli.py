"""CLI: format detection, --from on every corpus command, convert targets, hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mosaicner.cli.main import main

PUBTATOR = (
    "123|t|Aspirin and Reye syndrome\n"
    "123|a|We report a case.\n"
    "123\t0\t7\tAspirin\tChemical\tD001241\n"
    "123\t12\t25\tReye syndrome\tDisease\tD012202\n"
    "\n"
)
CONLL = "Aspirin\tB-Chemical\nhelps\tO\n\n"
GENIA = json.dumps({"tokens": ["IL-2", "binds"], "entity_mentions": []}) + "\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture()
def pubtator_txt(tmp_path: Path) -> Path:
    f = tmp_path / "abstracts.txt"
    f.write_text(PUBTATOR, encoding="utf-8")
    return f


def test_stats_and_validate_read_a_pubtator_file_named_txt(
    pubtator_txt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["corpora", "stats", str(pubtator_txt), "--format", "json"], capsys)
    assert code == 0
    (split,) = json.loads(out)["splits"].values()
    assert split["mentions"] == {"Chemical": 1, "Disease": 1}
    code, out, _ = run(["corpora", "validate", str(pubtator_txt), "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["mentions"] == 2
    # --from overrides detection (as plain text there is nothing to count)
    code, out, _ = run(
        ["corpora", "stats", str(pubtator_txt), "--from", "text", "--format", "json"], capsys
    )
    assert code == 0
    (split,) = json.loads(out)["splits"].values()
    assert split["mentions"] == {}


def test_convert_detects_the_source_and_never_reads_the_target(
    pubtator_txt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "not" / "yet" / "there.jsonl"
    code, _, err = run(["convert", str(pubtator_txt), str(new)], capsys)
    assert code == 0, err
    (rec,) = [json.loads(x) for x in new.read_text(encoding="utf-8").splitlines()]
    assert len(rec["spans"]["gold"]) == 2
    # an existing target holding another format does not change the output format
    existing = tmp_path / "old.jsonl"
    existing.write_text(GENIA, encoding="utf-8")
    code, _, err = run(["convert", str(pubtator_txt), str(existing)], capsys)
    assert code == 0, err
    (rec,) = [json.loads(x) for x in existing.read_text(encoding="utf-8").splitlines()]
    assert rec["id"] == "123" and "entity_mentions" not in rec  # native JSONL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abstracts.txt", "not", "old.jsonl"]


def test_convert_unknown_target_suffix_is_a_clean_error(
    pubtator_txt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["convert", str(pubtator_txt), str(tmp_path / "out.weird")], capsys)
    assert code == 2
    assert "error:" in err and "--to FORMAT" in err and "Traceback" not in err
    assert not (tmp_path / "out.weird").exists()


def test_convert_refuses_xml_that_is_not_bioc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "build.xml"
    src.write_text("<?xml version='1.0'?>\n<project name='x'/>\n", encoding="utf-8")
    for extra in ([], ["--from", "bioc-xml"]):
        code, _, err = run(["convert", str(src), str(tmp_path / "o.jsonl"), *extra], capsys)
        assert code == 2, err
        assert f"{src}:2:" in err and "not a BioC <collection>" in err
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["corpora", "validate"],
        ["corpora", "stats"],
        ["convert"],
        ["evaluate"],
        ["predict"],
        ["tag"],
        ["views"],
        ["ood"],
        ["analyze", "similarity"],
        ["analyze", "recommend"],
    ],
)
def test_every_corpus_command_takes_from(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*command, "--help"], capsys)
    assert code == 0 and "--from" in out


def test_validate_bounds_memory_on_absurd_sentence_sizes(tmp_path: Path) -> None:
    f = tmp_path / "huge.jsonl"
    f.write_text(
        '{"id": "a", "text": "abc", "tokens": [[0, 3]], "sentences": [[0, 3, 0, 1000000000000]]}\n'
    )
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from mosaicner.cli.main import main\n"
        f"main(['corpora', 'validate', {str(f)!r}])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and f"{f}:1" in proc.stderr + proc.stdout


def test_corpus_folder_of_pubtator_txt_splits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mycorpus"
    folder.mkdir()
    (folder / "train.txt").write_text(PUBTATOR, encoding="utf-8")
    (folder / "test.txt").write_text(PUBTATOR.replace("123", "456"), encoding="utf-8")
    code, out, err = run(["corpora", "stats", str(folder), "--format", "json"], capsys)
    assert code == 0, err
    splits = json.loads(out)["splits"]
    assert list(splits) == ["train", "test"]
    assert all(s["mentions"] == {"Chemical": 1, "Disease": 1} for s in splits.values())
