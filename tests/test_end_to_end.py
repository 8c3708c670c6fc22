"""End to end through the CLI on a tiny random encoder and two tiny corpora (tmp_path):
train -> printed figures -> evaluate (JSON, same figures) -> predict (pred layer written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.testing.corpora import write_tiny_corpus


def write_corpus(folder: Path, entities: list[str], label: str, seed: int) -> Path:
    return write_tiny_corpus(
        folder, entities, label, seed, (("train", 30), ("devel", 10), ("test", 10))
    )


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_train_evaluate_predict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mosaicner.testing.tiny import make_tiny_encoder

    enc = make_tiny_encoder(tmp_path / "enc")
    dis = write_corpus(tmp_path / "dis", ["cancer", "asthma induced"], "Disease", 1)
    chem = write_corpus(tmp_path / "chem", ["aspirin", "il-2"], "Chemical", 2)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        f"corpora:\n  - name: {dis}\n    label_map: original\n"
        f"  - name: {chem}\n    label_map: original\n"
        f"encoder:\n  name: {enc}\n"
        "trainer:\n  max_steps: 3\n  eval_every: 3\n"
        "batching:\n  max_tokens: 100\n"
        "optimizer:\n  head_lr: 0.01\n  encoder_lr: 0.001\n"
        "num_threads: 1\n",
        encoding="utf-8",
    )
    run = tmp_path / "run"
    code, out, err = cli(
        [
            "train",
            str(cfg),
            "--output",
            str(run),
            "--quiet",
            "--set",
            "trainer.max_steps=4",
            "--set",
            "trainer.eval_every=2",
        ],
        capsys,
    )
    assert code == 0, err
    for name in ("model", "checkpoints", "metrics.jsonl", "train.log", "config.yaml"):
        assert (run / name).exists(), name
    assert "max_steps: 4" in (run / "config.yaml").read_text()
    printed = {}
    for line in out.splitlines():
        if line.startswith("final test F1 "):
            name, value = line[len("final test F1 ") :].rsplit(": ", 1)
            printed[name] = value
    assert set(printed) == {"dis", "chem"}

    code, out, err = cli(
        [
            "evaluate",
            str(run / "model"),
            "--corpus",
            "dis",
            "--format",
            "json",
            "--resamples",
            "100",
        ],
        capsys,
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["corpus"] == "dis" and report["split"] == "test"
    assert f"{100 * report['micro']['f1']:.2f}" == printed["dis"]
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= report["micro"][key] <= 1.0
        lo, hi = report["ci95"][key]
        assert 0.0 <= lo <= hi <= 1.0
    results = json.loads((run / "results.json").read_text())
    assert results["reports"]["dis"]["micro"] == report["micro"]

    out_file = tmp_path / "pred.tsv"
    code, out, err = cli(
        ["predict", str(run), "--input", str(dis / "test.tsv"), "--output", str(out_file)],
        capsys,
    )
    assert code == 0, err
    lines = [x for x in out_file.read_text().splitlines() if x]
    assert len(lines) == len([x for x in (dis / "test.tsv").read_text().splitlines() if x])
