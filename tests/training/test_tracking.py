"""MLflow logging to a local file store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mosaicner.training.config import config_from_dict
from mosaicner.training.loop import Trainer


def test_mlflow_local_file_store(tiny_config: Any, tmp_path: Path) -> None:
    mlflow = pytest.importorskip("mlflow")
    store = tmp_path / "mlruns"
    data = tiny_config(max_steps=2, eval_every=2, log_every=1)
    data["mlflow"] = {"enabled": True, "tracking_uri": str(store), "experiment": "t"}
    cfg = config_from_dict(data)
    Trainer(cfg, tmp_path / "run", progress=False).run()
    run_id = (tmp_path / "run" / "mlflow_run_id").read_text().strip()
    mlflow.set_tracking_uri(store.resolve().as_uri())
    run = mlflow.get_run(run_id)
    assert run.data.params["trainer.max_steps"] == "2"
    assert any(k.startswith("dev.main.macro_f1") for k in run.data.metrics)
    assert any(k.startswith("train.main.loss.") for k in run.data.metrics)
