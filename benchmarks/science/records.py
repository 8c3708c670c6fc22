"""One results file for the science experiments: ``benchmarks/science/runs.jsonl``.

Every finished run appends one JSON object per scored corpus (one line each), so the tables in
``benchmarks/science/README.md`` can be regenerated from the raw records by ``make_tables.py``
and an interrupted experiment can skip what it already finished.

Required fields::

    experiment      str    mtl_vs_stl, transfer_matrix, partial_annotation, synthetic_ensemble,
                           genia_context, general_biomedical, ...
    condition       str    the compared setting (joint_dynamic, single, ...)
    corpus          str    the scored corpus
    seed            int
    steps           int    optimizer steps of the run
    f1, p, r        float  micro scores as fractions in [0, 1] (tables print percentages)
    test_support    int    gold mentions in the scored test sentences
    test_subsample  int | None   sentences scored when a subsample, None for the full test set

Extras written by :func:`run_extras` and the runners: ``command``, ``git_commit``,
``wall_seconds``, ``started_at`` (UTC, ISO 8601), ``run_dir``, ``per_type`` (type -> p, r, f1,
support), ``load_average`` (1-minute load at start and end), anything else the experiment wants.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNS = HERE / "runs.jsonl"

REQUIRED: dict[str, tuple[type, ...]] = {
    "experiment": (str,),
    "condition": (str,),
    "corpus": (str,),
    "seed": (int,),
    "steps": (int,),
    "f1": (float, int),
    "p": (float, int),
    "r": (float, int),
    "test_support": (int,),
    "test_subsample": (int, type(None)),
}


class RecordError(ValueError):
    """A record that does not have the required fields (names the file and line when read)."""


def check_record(record: Mapping[str, Any], where: str = "record") -> None:
    """Raise :class:`RecordError` unless every required field is present and well typed."""
    for key, kinds in REQUIRED.items():
        if key not in record:
            raise RecordError(f"{where}: missing field {key!r} (required: {', '.join(REQUIRED)})")
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            raise RecordError(f"{where}: field {key!r} is {value!r}, expected {names}")
    for key in ("f1", "p", "r"):
        v = float(record[key])
        if not (0.0 <= v <= 1.0) or math.isnan(v):
            raise RecordError(f"{where}: {key} = {v} is not a fraction in [0, 1]")


def append_record(record: Mapping[str, Any], path: str | Path = RUNS) -> dict[str, Any]:
    """Validate ``record`` and append it as one line (flushed and synced) to ``path``."""
    check_record(record)
    out = dict(record)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(out, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return out


def read_records(path: str | Path = RUNS) -> list[dict[str, Any]]:
    """All records of ``path`` (empty when the file does not exist); bad lines name the line."""
    p = Path(path)
    if not p.is_file():
        return []
    out: list[dict[str, Any]] = []
    for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{p}:{i}: not JSON ({exc.msg})") from None
        if not isinstance(rec, dict):
            raise RecordError(f"{p}:{i}: a record must be a JSON object")
        check_record(rec, f"{p}:{i}")
        out.append(rec)
    return out


def is_finished(
    records: Iterable[Mapping[str, Any]],
    *,
    experiment: str,
    condition: str,
    seed: int,
    steps: int,
    corpora: Sequence[str],
    test_subsample: int | None = None,
) -> bool:
    """Whether every corpus of (experiment, condition, seed, steps) already has a record."""
    done = {
        r["corpus"]
        for r in records
        if r["experiment"] == experiment
        and r["condition"] == condition
        and r["seed"] == seed
        and r["steps"] == steps
        and r.get("test_subsample") == test_subsample
    }
    return set(corpora) <= done


def git_commit(root: Path = ROOT) -> str | None:
    """``HEAD``'s commit, with ``-dirty`` when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on every platform
        return None


class RunClock:
    """Wall time, start time and load average around one run, for the record's extras."""

    def __init__(self) -> None:
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.load_start = load_average()
        self._t0 = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self._t0

    def extras(self, **more: Any) -> dict[str, Any]:
        """The run's extras; with ``run_dir`` also its dev-score curve(s) (:func:`dev_curves`)."""
        out = {
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "git_commit": git_commit(),
            "started_at": self.started_at,
            "wall_seconds": round(self.seconds(), 1),
            "load_average": [self.load_start, load_average()],
            **more,
        }
        if more.get("run_dir") and "dev_curve" not in more:
            curves = dev_curves(Path(str(more["run_dir"])))
            if curves:
                out["dev_curve"] = curves
        return out


def dev_curve(metrics: Path) -> list[list[float]]:
    """``[[step, dev macro F1], ...]`` of one training run's ``metrics.jsonl``."""
    out: list[list[float]] = []
    for line in metrics.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("event") == "dev" and "macro_f1" in event:
            out.append([int(event["step"]), round(float(event["macro_f1"]), 6)])
    return out


def dev_curves(run_dir: Path) -> list[list[float]] | dict[str, list[list[float]]]:
    """The dev curve of the training in ``run_dir``, or, for a run made of several trainings
    (member folders), ``{member folder: curve}``; empty when nothing was recorded."""
    own = run_dir / "metrics.jsonl"
    if own.is_file():
        return dev_curve(own)
    found = sorted(run_dir.glob("*/metrics.jsonl")) if run_dir.is_dir() else []
    return {str(m.parent.relative_to(run_dir)): dev_curve(m) for m in found}


def encoder_name(encoder: str, out: Path) -> str:
    """The encoder to train with: ``encoder`` itself, or for ``"tiny"`` (smoke tests) a tiny
    random encoder created once under ``out/tiny-encoder``."""
    if encoder != "tiny":
        return str(encoder)
    from mosaicner.testing.tiny import make_tiny_encoder

    folder = out / "tiny-encoder"
    if not (folder / "config.json").is_file():
        make_tiny_encoder(folder, seed=0)
    return str(folder)


def per_type(scores: Mapping[str, Any]) -> dict[str, dict[str, float | int]]:
    """``{type: {p, r, f1, support}}`` from a :meth:`SpanScores.to_dict` (or report) dict."""
    out: dict[str, dict[str, float | int]] = {}
    for name, s in sorted(dict(scores.get("per_type", {})).items()):
        out[name] = {
            "p": round(float(s["precision"]), 6),
            "r": round(float(s["recall"]), 6),
            "f1": round(float(s["f1"]), 6),
            "support": int(s.get("support", s.get("tp", 0) + s.get("fn", 0))),
        }
    return out


__all__ = [
    "REQUIRED",
    "RUNS",
    "RecordError",
    "RunClock",
    "append_record",
    "check_record",
    "encoder_name",
    "git_commit",
    "is_finished",
    "load_average",
    "per_type",
    "read_records",
]
