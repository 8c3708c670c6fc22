"""metrics.jsonl after a resume: records written after the checkpoint are dropped once."""

from __future__ import annotations

import json
from pathlib import Path

from mosaicner.training.runlog import RunLog


def test_drop_after_keeps_earlier_phases_and_steps(tmp_path: Path) -> None:
    log = RunLog(tmp_path)
    for phase, steps in (("auxiliary", (2, 4)), ("target", (2, 4, 6))):
        for step in steps:
            log.metric({"event": "train", "phase": phase, "step": step})
    with open(log.metrics_path, "a", encoding="utf-8") as fh:
        fh.write('{"event": "train", "pha')  # the half-written line of a killed run
    log.drop_after(1, 4, ["auxiliary", "target"])
    kept = [json.loads(x) for x in log.metrics_path.read_text().splitlines()]
    assert [(r["phase"], r["step"]) for r in kept] == [
        ("auxiliary", 2),
        ("auxiliary", 4),
        ("target", 2),
        ("target", 4),
    ]


def test_workers_write_nothing(tmp_path: Path) -> None:
    log = RunLog(tmp_path, main=False)
    log.metric({"event": "train", "phase": "main", "step": 1})
    log.log("hello")
    assert not log.metrics_path.exists() and not (tmp_path / "train.log").exists()
