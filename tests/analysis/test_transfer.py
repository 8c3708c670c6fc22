from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mosaicner.analysis.transfer import (
    TransferMatrixConfig,
    load_transfer_config,
    plan_jobs,
    run_transfer_matrix,
)
from mosaicner.errors import ConfigError

F1 = {"stl": {"A": 0.5, "B": 0.6, "C": 0.7}, "bonus": {("A", "B"): 0.05, ("B", "A"): -0.02}}


def fake_runner(calls: list[str]) -> Any:
    def run(data: dict[str, Any], run_dir: Path, target: str) -> dict[str, Any]:
        calls.append(run_dir.name)
        names = [Path(c["name"]).name for c in data["corpora"]]
        assert names[0] == target and data["target"] == target
        f1 = F1["stl"][target] + 0.01 * data["seed"]
        if data["mode"] == "pairwise":
            f1 += F1["bonus"].get((target, names[1]), 0.0)
        else:
            assert data["mode"] == "single" and len(names) == 1
        return {"micro": {"f1": f1}}

    return run


def test_plan_counts() -> None:
    jobs = plan_jobs(["A", "B", "C"], [1, 2])
    assert len(jobs) == 2 * (3 + 6)
    assert len({j["id"] for j in jobs}) == len(jobs)


def test_matrix_gains_and_resume(tmp_path: Path) -> None:
    cfg = TransferMatrixConfig(corpora=["A", "B", "C"], seeds=[1, 2], output_dir=str(tmp_path))
    calls: list[str] = []
    summary = run_transfer_matrix(cfg, runner=fake_runner(calls))
    assert len(calls) == 18 and summary["jobs_done"] == 18
    gains = {(g["target"], g["auxiliary"]): g for g in summary["gains"]}
    assert len(gains) == 6
    assert gains[("A", "B")]["gain"] == pytest.approx(0.05)
    assert gains[("A", "B")]["sd"] == pytest.approx(0.0, abs=1e-12)
    assert gains[("B", "A")]["gain"] == pytest.approx(-0.02)
    assert gains[("C", "A")]["f1_stl"] == pytest.approx(0.715)
    on_disk = json.loads((tmp_path / "gains.json").read_text())
    assert {(g["target"], g["auxiliary"]) for g in on_disk} == set(gains)
    # resumable: a second run trains nothing; a deleted result is redone alone
    (tmp_path / "results" / "mtl__A__B__seed2.json").unlink()
    calls.clear()
    run_transfer_matrix(cfg, runner=fake_runner(calls))
    assert calls == ["mtl__A__B__seed2"]


def test_missing_pairs_are_dropped(tmp_path: Path) -> None:
    cfg = TransferMatrixConfig(corpora=["A", "B"], seeds=[1], output_dir=str(tmp_path))

    def failing(data: dict[str, Any], run_dir: Path, target: str) -> dict[str, Any]:
        if data["mode"] == "pairwise" and target == "B":
            raise RuntimeError("boom")
        return fake_runner([])(data, run_dir, target)

    summary = run_transfer_matrix(cfg, runner=failing)
    assert [(g["target"], g["auxiliary"]) for g in summary["gains"]] == [("A", "B")]
    assert "mtl__B__A__seed1" in summary["failures"]
    assert summary["missing_jobs"] == ["mtl__B__A__seed1"]


def test_config_file(tmp_path: Path) -> None:
    p = tmp_path / "tm.yaml"
    p.write_text("corpora: [A, B]\nseeds: [3]\noutput_dir: out\ntrain: {trainer: {max_steps: 5}}\n")
    cfg = load_transfer_config(p)
    assert cfg.output_dir == str((tmp_path / "out").resolve())
    p.write_text("corpora: [A, B]\ntrain: {mode: all}\n")
    with pytest.raises(ConfigError, match=r"train\.mode"):
        load_transfer_config(p)
    p.write_text("corpora: [A, B]\nbogus: 1\n")
    with pytest.raises(ConfigError, match="bogus"):
        load_transfer_config(p)
