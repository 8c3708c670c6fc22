"""MTL vs STL, compute-controlled, for a low-resource target (issue 11, item 1).

Akdemir & Shibuya's multi-task learning: a shared encoder, one CRF head per corpus, uniform
task sampling.  The question a reviewer asks of any MTL gain is whether it is just more
training.  So, for each (target, auxiliary) pair and seed:

* ``stl`` at ``--stl-steps`` (default 600 and 1200): the target alone.  600 steps is as many
  target batches as the MTL model gives its target head; 1,200 is as many encoder updates as
  the MTL model makes.  An MTL gain over *both* is not "more steps";
* ``mtl+AUX`` at ``--mtl-steps`` (default 1200): target + auxiliary, pairwise mode (model
  selection on the target's dev), uniform sampling (about half the batches each).

The target keeps ``--target-train`` training sentences (default 300, a seeded subsample: the
same sentences in every condition of a seed), the auxiliary ``--aux-train`` (default 3,000).
Dev (a seeded subsample of ``--dev-subsample`` target sentences) is scored every
``--eval-every`` steps (default 100) and the best model kept; the **full** target test set is
scored.  Pairs (default): NCBI-disease <- BC5CDR, BC2GM <- JNLPBA, AnatEM <- BioNLP13CG, and the
control NCBI-disease <- linnaeus (an auxiliary with no Disease type).  Settings otherwise those
of the mosaic recipe (MiniLM, first-subword pooling, frozen word embeddings, CRF heads, 800-token
batches, encoder lr 5e-5, head lr 1e-3).

Each finished run appends one record (experiment ``mtl_vs_stl``, corpus = the target) to
``benchmarks/science/runs.jsonl``; finished (condition, target, seed, steps) are skipped, an
interrupted training resumes from its checkpoint.  ``make_tables.py`` turns the records into
mean ± sd tables and seed-paired differences with 95 % t-intervals.

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 PYTHONPATH=src \
        .venv/bin/python benchmarks/science/mtl_vs_stl.py --seeds 1 2 3 --threads 2
    .venv/bin/python benchmarks/science/mtl_vs_stl.py --dry-run     # the plan and its size

The transfer matrix of issue 11 (item 2) is the same design over every ordered pair of the seven
flat corpora, the target head getting as many batches as its STL baseline::

    ... mtl_vs_stl.py --experiment transfer_matrix --pairs all --stl-steps 300 --mtl-steps 600 \
        --seeds 1 2
    .venv/bin/python benchmarks/science/transfer_analysis.py   # gains, correlations, LOTO

Smoke test (random tiny encoder, a scratch records file)::

    .venv/bin/python benchmarks/science/mtl_vs_stl.py --encoder tiny --stl-steps 4 8 \
        --mtl-steps 8 --eval-every 4 --target-train 30 --aux-train 30 --dev-subsample 20 \
        --seeds 1 --pairs NCBI-disease:BC5CDR --out /tmp/mvs --runs-file /tmp/mvs/runs.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import (
    ROOT,
    RUNS,
    RunClock,
    append_record,
    encoder_name,
    is_finished,
    per_type,
    read_records,
)

EXPERIMENT = "mtl_vs_stl"
#: the seven flat corpora: ``--pairs all`` is every ordered (target, auxiliary) pair of them
FLAT = ("BC2GM", "BC5CDR", "NCBI-disease", "linnaeus", "AnatEM", "BioNLP13CG", "JNLPBA")
DEFAULT_PAIRS = (
    "NCBI-disease:BC5CDR",
    "BC2GM:JNLPBA",
    "AnatEM:BioNLP13CG",
    "NCBI-disease:linnaeus",
)


@dataclass(frozen=True)
class Run:
    condition: str  # "stl" or "mtl+AUX"
    target: str
    aux: str | None
    seed: int
    steps: int

    @property
    def name(self) -> str:
        return f"{self.target}/{self.condition}@{self.steps}/seed{self.seed}"


def plan(args: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    pairs = [tuple(p.split(":", 1)) for p in args.pairs]
    for seed in args.seeds:
        targets = list(dict.fromkeys(t for t, _ in pairs))
        for target in targets:
            runs.extend(Run("stl", target, None, seed, s) for s in args.stl_steps)
        for target, aux in pairs:
            runs.append(Run(f"mtl+{aux}", target, aux, seed, args.mtl_steps))
    return runs


def train_config(run: Run, args: argparse.Namespace, encoder: str) -> Any:
    from mosaicner.training.config import config_from_dict

    corpora: list[dict[str, Any]] = [
        {
            "name": run.target,
            "subsample": args.target_train,
            "subsample_seed": run.seed,
            "splits": {"train": "train", "dev": "dev", "test": "test"},
        }
    ]
    if run.aux is not None:
        corpora.append(
            {
                "name": run.aux,
                "subsample": args.aux_train,
                "subsample_seed": run.seed,
                "splits": {"train": "train", "dev": None, "test": None},
            }
        )
    data = {
        "corpora": corpora,
        "encoder": {"name": encoder, "pooling": "first", "dropout": 0.1},
        "mode": "pairwise" if run.aux else "single",
        "target": run.target,
        "sampler": {"kind": "uniform"},
        "batching": {"max_tokens": 800, "max_sentences": 32},
        "optimizer": {
            "encoder_lr": 5e-5,
            "head_lr": 1e-3,
            "weight_decay": 0.01,
            "warmup_ratio": 0.06,
            "max_grad_norm": 1.0,
            "freeze_embeddings": True,
        },
        "trainer": {
            "max_steps": run.steps,
            "eval_every": args.eval_every,
            "dev_subsample": args.dev_subsample,
            "log_every": 20,
            "final_split": "test",
        },
        "seed": run.seed,
        "num_threads": args.threads,
        "output_dir": str(args.out / run.name),
    }
    return config_from_dict(data, source=f"{args.experiment}:{run.name}")


def run_one(run: Run, args: argparse.Namespace, encoder: str) -> None:
    from mosaicner.training.run import train_and_evaluate

    cfg = train_config(run, args, encoder)
    run_dir = args.out / run.name
    clock = RunClock()
    batches: Counter[str] = Counter()

    def on_step(step: int, info: dict[str, Any]) -> None:
        batches[str(info.get("corpus"))] += 1

    result, reports = train_and_evaluate(
        cfg, run_dir, on_step=on_step, progress=False, n_resamples=args.bootstrap
    )
    rep = reports[run.target]
    micro = rep["micro"]
    support = sum(int(v["support"]) for v in rep["per_type"].values())
    record = {
        "experiment": args.experiment,
        "condition": run.condition,
        "corpus": run.target,
        "seed": run.seed,
        "steps": run.steps,
        "f1": micro["f1"],
        "p": micro["precision"],
        "r": micro["recall"],
        "test_support": support,
        "test_subsample": None,
        **clock.extras(
            run_dir=str(run_dir),
            target=run.target,
            aux=run.aux,
            target_train=args.target_train,
            aux_train=args.aux_train if run.aux else None,
            dev_subsample=args.dev_subsample,
            eval_every=args.eval_every,
            best_step=result.best_step,
            batches_per_corpus=dict(batches) if batches else None,
            encoder=args.encoder,
            threads=args.threads,
            per_type=per_type(rep),
            ci95_f1=rep.get("ci95", {}).get("f1"),
        ),
    }
    append_record(record, args.runs_file)
    print(
        f"{run.name}: F1 {100 * micro['f1']:.2f} (P {100 * micro['precision']:.2f}, "
        f"R {100 * micro['recall']:.2f}), best step {result.best_step}",
        flush=True,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--experiment",
        choices=("mtl_vs_stl", "transfer_matrix"),
        default=EXPERIMENT,
        help="the records' experiment name (transfer_matrix: use --pairs all)",
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--pairs", nargs="+", default=list(DEFAULT_PAIRS), help="TARGET:AUX, or 'all'")
    ap.add_argument("--stl-steps", type=int, nargs="+", default=[600, 1200])
    ap.add_argument("--mtl-steps", type=int, default=1200)
    ap.add_argument("--target-train", type=int, default=300)
    ap.add_argument("--aux-train", type=int, default=3000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--dev-subsample", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--encoder", default="all-MiniLM-L6-v2", help="encoder name, or 'tiny'")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / EXPERIMENT)
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    args = ap.parse_args(argv)
    if args.pairs == ["all"]:
        args.pairs = [f"{t}:{a}" for t in FLAT for a in FLAT if t != a]
    for p in args.pairs:
        if ":" not in p:
            ap.error(f"--pairs: {p!r} is not TARGET:AUX")
    if args.out == ROOT / "runs" / EXPERIMENT:
        args.out = ROOT / "runs" / args.experiment
    args.out = args.out.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    runs = plan(args)
    done = read_records(args.runs_file)
    todo = [
        r
        for r in runs
        if not is_finished(
            done,
            experiment=args.experiment,
            condition=r.condition,
            seed=r.seed,
            steps=r.steps,
            corpora=[r.target],
        )
    ]
    print(
        f"{args.experiment}: {len(runs)} runs planned, {len(runs) - len(todo)} already recorded in "
        f"{args.runs_file}, {len(todo)} to do ({sum(r.steps for r in todo)} steps)",
        flush=True,
    )
    if args.dry_run or not todo:
        for r in todo:
            print(f"  {r.name}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = encoder_name(args.encoder, args.out)
    for run in todo:
        print(f"== {run.name}", flush=True)
        run_one(run, args, encoder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
