"""What a run writes as it goes: ``train.log``, ``metrics.jsonl`` (and MLflow), progress bars.

Only the main process of a data-parallel run writes.  A resumed run first drops the metric
records written after the checkpoint it resumes from, so ``metrics.jsonl`` holds every record
once, as an uninterrupted run would.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("mosaicner.training")

METRICS = "metrics.jsonl"
TRAIN_LOG = "train.log"


class RunLog:
    """``train.log`` lines, ``metrics.jsonl`` records and the notes of a run."""

    def __init__(self, run_dir: Path, *, main: bool = True) -> None:
        self.run_dir = run_dir
        self.main = main
        self.notes: list[str] = []
        self.tracker: Any = None

    @property
    def metrics_path(self) -> Path:
        """``RUN/metrics.jsonl``."""
        return self.run_dir / METRICS

    def log(self, message: str) -> None:
        """A timestamped line in ``train.log`` (and the ``mosaicner.training`` logger)."""
        if not self.main:
            return
        log.info(message)
        with open(self.run_dir / TRAIN_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")

    def note(self, text: str) -> None:
        """Something the run's results should mention (saved with the model)."""
        self.notes.append(text)
        self.log(text)

    def metric(self, record: dict[str, Any]) -> None:
        """One ``metrics.jsonl`` record (also sent to the tracker, when there is one)."""
        if not self.main:
            return
        with open(self.metrics_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
        if self.tracker is not None:
            self.tracker.log(record)

    def clear_metrics(self) -> None:
        """A fresh run: no records from an earlier one."""
        if self.main:
            self.metrics_path.unlink(missing_ok=True)

    def keep_metrics(self, keep: Callable[[dict[str, Any]], bool]) -> int:
        """Drop the records ``keep`` refuses (written after the checkpoint a run resumes from);
        returns how many were dropped.  The file is rewritten atomically."""
        path = self.metrics_path
        if not self.main or not path.is_file():
            return 0
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a half-written last line of a killed run
            if keep(record):
                kept.append(line)
        dropped = len([x for x in lines if x.strip()]) - len(kept)
        if dropped:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text("".join(x + "\n" for x in kept), encoding="utf-8")
            tmp.replace(path)
        return dropped

    def drop_after(self, phase: int, step: int, phase_names: Sequence[str]) -> None:
        """A resumed run: drop the records written after the checkpoint of (``phase`` index,
        ``step``), since the run writes them again."""
        names = list(phase_names)

        def keep(record: dict[str, Any]) -> bool:
            if record.get("phase") not in names:
                return True
            idx = names.index(record["phase"])
            return idx < phase or (idx == phase and int(record.get("step", 0)) <= step)

        dropped = self.keep_metrics(keep)
        if dropped:
            self.log(f"metrics.jsonl: {dropped} records after the checkpoint dropped")


def progress_bar(enabled: bool) -> Any:
    """A rich progress bar (disabled: shows nothing)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


__all__ = ["METRICS", "TRAIN_LOG", "RunLog", "progress_bar"]
