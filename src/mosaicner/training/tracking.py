"""Optional MLflow logging (``mlflow.enabled: true``); a folder is used as a local file store."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mosaicner.errors import ConfigError
from mosaicner.training.config import TrainConfig


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                out.update(_flatten(item, f"{name}.{i}."))
        else:
            out[name] = str(value)[:500]
    return out


def tracking_uri(uri: str) -> str:
    """A plain folder becomes an absolute ``file:`` URI (MLflow's local file store)."""
    if "://" in uri or uri.startswith("file:"):
        return uri
    return Path(uri).expanduser().resolve().as_uri()


class MLflowTracker:
    """Logs the flattened config as params, train/dev records as metrics, the run files as
    artifacts.  The MLflow run id is kept in ``run_dir/mlflow_run_id`` so a resumed training
    run continues the same MLflow run."""

    def __init__(self, cfg: TrainConfig, run_dir: Path, resume: bool = False) -> None:
        try:
            import mlflow
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ConfigError(
                "mlflow.enabled is true but MLflow is not installed",
                hint="pip install mlflow, or set mlflow.enabled: false",
            ) from exc
        self.mlflow = mlflow
        self.run_dir = run_dir
        uri = tracking_uri(cfg.mlflow.tracking_uri)
        if uri.startswith("file:"):
            # MLflow >= 3.x refuses the file store unless asked for it explicitly
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(cfg.mlflow.experiment)
        id_file = run_dir / "mlflow_run_id"
        run_id = id_file.read_text().strip() if resume and id_file.is_file() else None
        self.run = mlflow.start_run(run_id=run_id, run_name=cfg.mlflow.run_name or run_dir.name)
        id_file.write_text(self.run.info.run_id)
        if run_id is None:
            params = _flatten(cfg.model_dump(mode="json"))
            items = list(params.items())
            for lo in range(0, len(items), 90):
                mlflow.log_params(dict(items[lo : lo + 90]))

    def log(self, record: Mapping[str, Any]) -> None:
        """Send one ``metrics.jsonl`` record (losses, learning rates, dev F1) as MLflow metrics."""
        step = int(record.get("step", 0))
        metrics: dict[str, float] = {}
        kind = record.get("event", "")
        phase = record.get("phase", "")
        for key, value in record.items():
            if key in ("step", "event", "phase", "selection", "improved"):
                continue
            if isinstance(value, Mapping):
                for k, v in value.items():
                    if isinstance(v, int | float):
                        metrics[f"{kind}.{phase}.{key}.{k}".replace("/", "_")] = float(v)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                metrics[f"{kind}.{phase}.{key}"] = float(value)
        if metrics:
            self.mlflow.log_metrics(metrics, step=step)

    def log_final(self, reports: Mapping[str, Mapping[str, Any]]) -> None:
        """Log the final per-corpus test (or dev) figures."""
        metrics = {
            f"final.{name}.{k}": float(rep["micro"][k])
            for name, rep in reports.items()
            for k in ("precision", "recall", "f1")
        }
        if metrics:
            self.mlflow.log_metrics(metrics)

    def close(self) -> None:
        """Attach the run files as artifacts and end the MLflow run."""
        for name in ("config.yaml", "metrics.jsonl", "train.log", "results.json"):
            path = self.run_dir / name
            if path.is_file():
                self.mlflow.log_artifact(str(path))
        self.mlflow.end_run()


__all__ = ["MLflowTracker", "tracking_uri"]
