"""Transfer matrix: single-task baselines and pairwise multi-task runs for every ordered pair.

Configuration (YAML)::

    corpora: [NCBI-disease, BC5CDR, linnaeus]    # registry names or paths
    seeds: [1, 2]                                # every job is run once per seed
    output_dir: runs/transfer                    # results, run folders, subsampled data
    subsample: {train: 300, dev: 100, test: 500, seed: 0}   # optional, sentences per split
    train:                                       # sections of a `mosaicner train` config
      encoder: {name: all-MiniLM-L6-v2}
      trainer: {max_steps: 150, eval_every: 50}
    overrides: ["optimizer.encoder_lr=5e-5"]     # dotted overrides for every run
    n_resamples: 0                               # bootstrap resamples in each evaluation

Jobs, per seed: ``stl`` = mode ``single`` on the target alone; ``mtl`` = mode ``pairwise`` on
(target, auxiliary), model selection on the *target's* dev set, scored on the target's test
set.  Each job writes ``results/<job>.json`` when it finishes; a job whose result file exists is
skipped, and an interrupted job resumes from its run folder's checkpoint, so the whole matrix
is resumable.  With ``subsample``, seeded random subsets (original order kept) of each split
are written to ``output_dir/data/<corpus>/`` and trained on; this is stated in the output.

Gains: for every ordered pair and seed, gain = F1_MTL(t|a, seed) − F1_STL(t, seed) (paired by
seed); ``gains.json`` holds the mean over seeds with its standard deviation (``sd``, sample
standard deviation, null with one seed), the mean F1s and ``n_seeds``, in the format read by
``mosaicner analyze correlate``.  Pairs whose jobs are missing are left out, never zero-filled.
"""

from __future__ import annotations

import copy
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mosaicner.errors import ConfigError, MissingFileError

#: Runs one training job: (train-config mapping, run dir, target) -> the target's evaluation
#: report (a dict with at least ``micro.f1``).  Training lives above this layer: the CLI passes
#: :func:`mosaicner.training.transfer.transfer_runner`.
Runner = Callable[[dict[str, Any], Path, str], dict[str, Any]]
Log = Callable[[str], None]


class SubsampleConfig(BaseModel):
    """Seeded sentence subsets per split for a cheaper transfer matrix."""

    model_config = ConfigDict(extra="forbid")
    train: int | None = Field(default=None, ge=1)
    dev: int | None = Field(default=None, ge=1)
    test: int | None = Field(default=None, ge=1)
    seed: int = 0


class TransferMatrixConfig(BaseModel):
    """A transfer matrix: corpora, seeds, output folder and the training sections of every job."""

    model_config = ConfigDict(extra="forbid")
    corpora: list[str] = Field(min_length=2)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    output_dir: str = "runs/transfer"
    subsample: SubsampleConfig | None = None
    train: dict[str, Any] = Field(default_factory=dict)
    overrides: list[str] = Field(default_factory=list)
    n_resamples: int = Field(default=0, ge=0)


def load_transfer_config(path: str | Path) -> TransferMatrixConfig:
    """Read and validate a transfer-matrix YAML (relative ``output_dir`` is taken from the file's
    folder).
    """
    p = Path(path)
    if not p.is_file():
        raise MissingFileError("transfer-matrix config not found", file=p)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"YAML does not parse: {exc}", file=p, line=mark.line + 1 if mark else None
        ) from None
    try:
        cfg = TransferMatrixConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ConfigError(f"invalid transfer-matrix config: {loc}: {err['msg']}", file=p) from None
    for key in ("corpora", "mode", "target", "seed", "output_dir"):
        if key in cfg.train:
            raise ConfigError(
                f"`train.{key}` is set by the transfer matrix itself", file=p, hint="remove it"
            )
    if not Path(cfg.output_dir).is_absolute():
        cfg.output_dir = str((p.parent / cfg.output_dir).resolve())
    return cfg


def corpus_key(name: str) -> str:
    """The name of a corpus given by registry name or path (its folder name)."""
    return Path(name).name if ("/" in name or "\\" in name) else name


# ------------------------------------------------------------------------------------- data
def _iob2(n: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n
    for s, e, label in sorted(spans):
        if any(t != "O" for t in tags[s:e]):
            raise ConfigError(
                "subsampling writes flat IOB2 files; this corpus has nested spans",
                hint="leave it out of the transfer matrix or set no subsample",
            )
        tags[s] = f"B-{label}"
        for i in range(s + 1, e):
            tags[i] = f"I-{label}"
    return tags


def materialise_subsample(
    name: str, out_root: Path, sub: SubsampleConfig, log: Log | None = None
) -> tuple[str, dict[str, int]]:
    """Write seeded subsets of a corpus's splits as IOB2 TSV; returns (folder, counts)."""
    from mosaicner.analysis.data import load_analysis_corpus

    corpus = load_analysis_corpus(name)
    folder = out_root / corpus.name
    counts: dict[str, int] = {}
    marker = folder / "subsample.json"
    wanted = {"train": sub.train, "dev": sub.dev, "test": sub.test, "seed": sub.seed}
    if marker.is_file() and json.loads(marker.read_text()).get("wanted") == wanted:
        return str(folder), json.loads(marker.read_text())["counts"]
    folder.mkdir(parents=True, exist_ok=True)
    for split, file_name, n in (
        ("train", "train.tsv", sub.train),
        ("dev", "devel.tsv", sub.dev),
        ("test", "test.tsv", sub.test),
    ):
        sentences = corpus.sentences(split)
        idx = list(range(len(sentences)))
        if n is not None and n < len(idx):
            idx = sorted(random.Random(f"{sub.seed}:{corpus.name}:{split}").sample(idx, n))
        lines: list[str] = []
        for i in idx:
            words, spans = sentences[i]
            lines.extend(f"{w}\t{t}" for w, t in zip(words, _iob2(len(words), spans), strict=True))
            lines.append("")
        (folder / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[split] = len(idx)
        counts[f"{split}_of"] = len(sentences)
    marker.write_text(json.dumps({"source": name, "wanted": wanted, "counts": counts}, indent=1))
    if log is not None:
        log(f"subsampled {corpus.name}: {counts}")
    return str(folder), counts


# ------------------------------------------------------------------------------------- jobs
def plan_jobs(corpora: Sequence[str], seeds: Sequence[int]) -> list[dict[str, Any]]:
    """Every STL job and every ordered-pair MTL job, per seed (STL first)."""
    keys = [corpus_key(c) for c in corpora]
    jobs: list[dict[str, Any]] = []
    for seed in seeds:
        for t in keys:
            jobs.append(
                {
                    "id": f"stl__{t}__seed{seed}",
                    "kind": "stl",
                    "target": t,
                    "auxiliary": None,
                    "seed": seed,
                }
            )
        for t in keys:
            for a in keys:
                if a != t:
                    jobs.append(
                        {
                            "id": f"mtl__{t}__{a}__seed{seed}",
                            "kind": "mtl",
                            "target": t,
                            "auxiliary": a,
                            "seed": seed,
                        }
                    )
    return jobs


def job_train_config(
    cfg: TransferMatrixConfig, job: dict[str, Any], sources: dict[str, str], run_dir: Path
) -> dict[str, Any]:
    """The training config mapping of one job (``single`` or ``pairwise`` on the job's corpora)."""
    data = copy.deepcopy(cfg.train)
    names = [job["target"]] + ([job["auxiliary"]] if job["auxiliary"] else [])
    data["corpora"] = [{"name": sources[n]} for n in names]
    data["mode"] = "single" if job["kind"] == "stl" else "pairwise"
    data["target"] = job["target"]
    data["seed"] = job["seed"]
    data["output_dir"] = str(run_dir)
    return data


def run_transfer_matrix(
    cfg: TransferMatrixConfig,
    *,
    runner: Runner | None = None,
    dry_run: bool = False,
    log: Log | None = None,
) -> dict[str, Any]:
    """Run (or resume) every job with ``runner``, then write ``gains.json`` and
    ``transfer_matrix.json``; ``dry_run`` only lists the jobs."""
    out = Path(cfg.output_dir)
    results_dir = out / "results"
    say = log or (lambda s: None)
    jobs = plan_jobs(cfg.corpora, cfg.seeds)
    if dry_run:
        return {"jobs": [j["id"] for j in jobs], "output_dir": str(out)}
    results_dir.mkdir(parents=True, exist_ok=True)
    sources = {corpus_key(c): c for c in cfg.corpora}
    data_counts: dict[str, dict[str, int]] = {}
    if cfg.subsample is not None:
        for c in cfg.corpora:
            folder, counts = materialise_subsample(c, out / "data", cfg.subsample, say)
            sources[corpus_key(c)] = folder
            data_counts[corpus_key(c)] = counts
    if runner is None:
        raise ConfigError(
            "the transfer matrix needs a runner that trains one job",
            hint="pass runner=mosaicner.training.transfer.transfer_runner(...)",
        )
    run = runner
    failures: dict[str, str] = {}
    for i, job in enumerate(jobs, start=1):
        result_file = results_dir / f"{job['id']}.json"
        if result_file.is_file():
            say(f"[{i}/{len(jobs)}] {job['id']}: done before, skipped")
            continue
        run_dir = out / "runs" / job["id"]
        data = job_train_config(cfg, job, sources, run_dir)
        say(f"[{i}/{len(jobs)}] {job['id']}: training")
        start = time.perf_counter()
        try:
            report = run(data, run_dir, job["target"])
        except Exception as exc:  # one failed job must not lose the others
            failures[job["id"]] = f"{type(exc).__name__}: {exc}"
            say(f"[{i}/{len(jobs)}] {job['id']}: FAILED ({failures[job['id']]})")
            continue
        wall = time.perf_counter() - start
        record = {**job, "f1": float(report["micro"]["f1"]), "wall_s": wall, "report": report}
        tmp = result_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
        tmp.replace(result_file)  # atomic: a result file is always complete
        say(f"[{i}/{len(jobs)}] {job['id']}: F1 {100 * record['f1']:.2f} ({wall:.0f} s)")
    summary = collect(cfg, jobs)
    summary["failures"] = failures
    summary["subsample"] = (
        {"config": cfg.subsample.model_dump(), "counts": data_counts} if cfg.subsample else None
    )
    (out / "gains.json").write_text(json.dumps(summary["gains"], indent=1) + "\n")
    (out / "transfer_matrix.json").write_text(json.dumps(summary, indent=1, default=str) + "\n")
    return summary


def collect(cfg: TransferMatrixConfig, jobs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Read the result files into STL scores, MTL scores and seed-paired gains."""
    results_dir = Path(cfg.output_dir) / "results"
    done: dict[str, dict[str, Any]] = {}
    for job in jobs:
        f = results_dir / f"{job['id']}.json"
        if f.is_file():
            done[job["id"]] = json.loads(f.read_text(encoding="utf-8"))
    stl: dict[tuple[str, int], float] = {}
    mtl: dict[tuple[str, str, int], float] = {}
    for r in done.values():
        if r["kind"] == "stl":
            stl[(r["target"], r["seed"])] = r["f1"]
        else:
            mtl[(r["target"], r["auxiliary"], r["seed"])] = r["f1"]
    keys = [corpus_key(c) for c in cfg.corpora]
    gains: list[dict[str, Any]] = []
    for t in keys:
        for a in keys:
            if a == t:
                continue
            seeds = [s for s in cfg.seeds if (t, s) in stl and (t, a, s) in mtl]
            if not seeds:
                continue
            per_seed = [mtl[(t, a, s)] - stl[(t, s)] for s in seeds]
            gains.append(
                {
                    "target": t,
                    "auxiliary": a,
                    "gain": statistics.fmean(per_seed),
                    "sd": statistics.stdev(per_seed) if len(per_seed) > 1 else None,
                    "n_seeds": len(seeds),
                    "f1_stl": statistics.fmean(stl[(t, s)] for s in seeds),
                    "f1_mtl": statistics.fmean(mtl[(t, a, s)] for s in seeds),
                    "per_seed_gain": per_seed,
                }
            )
    stl_table = {}
    for t in keys:
        vals = [stl[(t, s)] for s in cfg.seeds if (t, s) in stl]
        if vals:
            stl_table[t] = {
                "f1": statistics.fmean(vals),
                "sd": statistics.stdev(vals) if len(vals) > 1 else None,
                "n_seeds": len(vals),
            }
    return {
        "corpora": keys,
        "seeds": list(cfg.seeds),
        "train": cfg.train,
        "overrides": cfg.overrides,
        "jobs_done": len(done),
        "jobs_total": len(jobs),
        "missing_jobs": [j["id"] for j in jobs if j["id"] not in done],
        "stl": stl_table,
        "gains": gains,
        "wall_s_total": sum(float(r.get("wall_s", 0.0)) for r in done.values()),
    }


__all__ = [
    "Runner",
    "SubsampleConfig",
    "TransferMatrixConfig",
    "collect",
    "job_train_config",
    "load_transfer_config",
    "materialise_subsample",
    "plan_jobs",
    "run_transfer_matrix",
]
