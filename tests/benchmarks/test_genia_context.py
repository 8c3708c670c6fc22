"""benchmarks/science/genia_context.py: one record per (context, seed), context in the model."""

from __future__ import annotations

import json
from pathlib import Path

import genia_context as gc
import records

from mosaicner.testing.tiny import make_tiny_encoder


def test_smoke_run_trains_with_and_without_context(data_dir: Path, tmp_path: Path) -> None:
    enc = make_tiny_encoder(tmp_path / "enc", seed=0)
    runs_file = tmp_path / "runs.jsonl"
    argv = [
        "--encoder", str(enc), "--steps", "2", "--eval-every", "2", "--train-subsample", "20",
        "--seeds", "1", "--context", "0", "8", "--bootstrap", "0",
        "--set", "encoder.freeze_layers=0", "--set", "trainer.dev_subsample=10",
        "--out", str(tmp_path / "out"), "--runs-file", str(runs_file),
    ]  # fmt: skip
    assert gc.main(argv) == 0
    recs = {r["condition"]: r for r in records.read_records(runs_file)}
    assert sorted(recs) == ["context0", "window8"]  # default: document windows
    for name, ctx in (("context0", 0), ("window8", 8)):
        rec = recs[name]
        assert rec["experiment"] == "genia_context" and rec["corpus"] == "GENIA-nested"
        assert rec["test_subsample"] is None and rec["test_support"] == 5119  # full, nested
        saved = json.loads((Path(rec["run_dir"]) / "model" / "config.json").read_text())
        assert saved["encoder"]["context_words"] == ctx
        assert saved["encoder"]["context_mode"] == "window"
    assert gc.main(argv) == 0 and len(records.read_records(runs_file)) == 2
