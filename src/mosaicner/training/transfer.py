"""The trainer behind ``mosaicner analyze transfer-matrix``: one job = one training run.

:mod:`mosaicner.analysis.transfer` plans the jobs and collects their results without knowing how
a model is trained (it sits below the torch layer); this module supplies the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mosaicner.analysis.transfer import Runner, load_transfer_config, run_transfer_matrix


def transfer_runner(n_resamples: int = 0, overrides: Sequence[str] = ()) -> Runner:
    """Run a job with :func:`mosaicner.training.run.train_and_evaluate` (resumes a run dir)."""

    def run(data: dict[str, Any], run_dir: Path, target: str) -> dict[str, Any]:
        from mosaicner.training.config import config_from_dict
        from mosaicner.training.run import train_and_evaluate

        train_cfg = config_from_dict(data, overrides, source=str(run_dir / "config.yaml"))
        result, reports = train_and_evaluate(
            train_cfg, run_dir, resume=True, progress=False, n_resamples=n_resamples
        )
        report = dict(reports[target])
        report["steps"] = result.steps
        report["best_step"] = result.best_step
        report["best_dev_score"] = result.best_score
        return report

    return run


def run_matrix(
    config: str | Path, *, dry_run: bool = False, log: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Load a transfer-matrix YAML and run (or resume) it: ``mosaicner analyze transfer-matrix``."""
    cfg = load_transfer_config(config)
    runner = transfer_runner(cfg.n_resamples, cfg.overrides)
    return run_transfer_matrix(cfg, runner=runner, dry_run=dry_run, log=log)


__all__ = ["run_matrix", "transfer_runner"]
