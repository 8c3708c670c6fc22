"""GENIA with and without document context for the SRU head (issue 11, item 4).

SRU-NER reads GENIA sentences inside windows of their abstract; mosaicner's encoder does the
same when ``encoder.context_words`` is set (the words of the neighbouring sentences of the same
document on each side, read but never labelled, in training, evaluation and tagging).  This
runner trains ``configs/genia-nested-quick.yaml`` (or ``--config``) once per (context, seed)
with ``--set encoder.context_words=N`` and everything else as in the config, and scores the full
GENIA-nested test set (nested gold, strict spans).

Conditions are named ``context0`` (each sentence alone: the config as shipped) and
``contextN``.  Each finished run appends one record (experiment ``genia_context``) to
``benchmarks/science/runs.jsonl``; recorded (condition, seed, steps) are skipped and an
interrupted training resumes from its checkpoint.

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 PYTHONPATH=src \
        .venv/bin/python benchmarks/science/genia_context.py --seeds 1 2 3 --context 0 64
    # the longer run (<= 2 hours here) for the figure next to the published ones:
    ... genia_context.py --seeds 1 --context 64 --steps 4000 --eval-every 1000
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import ROOT, RUNS, RunClock, append_record, is_finished, per_type, read_records

EXPERIMENT = "genia_context"
CORPUS = "GENIA-nested"


def train_config(args: argparse.Namespace, context: int, seed: int) -> Any:
    from mosaicner.training.config import load_config

    sets = [
        f"encoder.context_words={context}",
        f"encoder.context_mode={args.mode}",
        f"seed={seed}",
        f"num_threads={args.threads}",
        "trainer.final_split=test",
    ]
    if args.steps:
        sets.append(f"trainer.max_steps={args.steps}")
    if args.eval_every:
        sets.append(f"trainer.eval_every={args.eval_every}")
    if args.encoder:
        sets.append(f"encoder.name={args.encoder}")
    if args.train_subsample:
        sets.append(f"corpora.0.subsample={args.train_subsample}")
    cfg = load_config(args.config, [*sets, *args.set])
    return cfg.model_copy(update={"output_dir": str(run_dir(args, context, seed, cfg))})


def run_dir(args: argparse.Namespace, context: int, seed: int, cfg: Any) -> Path:
    return args.out / f"{condition_name(args, context)}@{cfg.trainer.max_steps}" / f"seed{seed}"


def condition_name(args: argparse.Namespace, context: int) -> str:
    """``context0`` (no context), ``contextN`` (N words each side), ``windowN`` (sentences
    packed into document windows of N words, each decoded alone) or ``mergeN`` (the windows
    decoded as one sequence each)."""
    prefix = {"window": "window", "merge": "merge"}.get(args.mode, "context")
    name = f"{prefix}{context}" if context else "context0"
    return f"{name}-{args.tag}" if args.tag else name


def run_one(args: argparse.Namespace, context: int, seed: int) -> None:
    from mosaicner.training.run import train_and_evaluate

    cfg = train_config(args, context, seed)
    folder = Path(cfg.output_dir)
    clock = RunClock()
    result, reports = train_and_evaluate(cfg, folder, progress=False, n_resamples=args.bootstrap)
    rep = reports[CORPUS]
    micro = rep["micro"]
    record = {
        "experiment": EXPERIMENT,
        "condition": condition_name(args, context),
        "corpus": CORPUS,
        "seed": seed,
        "steps": cfg.trainer.max_steps,
        "f1": micro["f1"],
        "p": micro["precision"],
        "r": micro["recall"],
        "test_support": sum(int(v["support"]) for v in rep["per_type"].values()),
        "test_subsample": None,
        **clock.extras(
            run_dir=str(folder),
            config=str(args.config),
            context_words=context,
            context_mode=args.mode,
            sets=list(args.set),
            max_tokens=cfg.batching.max_tokens,
            max_sentences=cfg.batching.max_sentences,
            best_step=result.best_step,
            threads=args.threads,
            encoder=cfg.encoder.name,
            train_subsample=args.train_subsample,
            per_type=per_type(rep),
            ci95_f1=rep.get("ci95", {}).get("f1"),
        ),
    }
    append_record(record, args.runs_file)
    print(
        f"{condition_name(args, context)} seed {seed}: F1 {100 * micro['f1']:.2f} "
        f"(P {100 * micro['precision']:.2f}, R {100 * micro['recall']:.2f})",
        flush=True,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=ROOT / "configs" / "genia-nested-quick.yaml")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--context", type=int, nargs="+", default=[0, 64], help="context_words")
    ap.add_argument(
        "--mode",
        choices=["neighbours", "window", "merge"],
        default="window",
        help="how context is read: N words each side, or document windows of N words",
    )
    ap.add_argument("--steps", type=int, default=None, help="default: the config's max_steps")
    ap.add_argument(
        "--tag", default="", help="suffix of the condition name (runs with other --set values)"
    )
    ap.add_argument("--eval-every", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--encoder", default=None, help="default: the config's encoder")
    ap.add_argument("--train-subsample", type=int, default=None, help="smoke tests only")
    ap.add_argument("--set", action="append", default=[], help="more config overrides K=V")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / EXPERIMENT)
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    args.out = args.out.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    done = read_records(args.runs_file)
    todo = []
    for seed in args.seeds:
        for context in args.context:
            steps = train_config(args, context, seed).trainer.max_steps
            if not is_finished(
                done,
                experiment=EXPERIMENT,
                condition=condition_name(args, context),
                seed=seed,
                steps=steps,
                corpora=[CORPUS],
            ):
                todo.append((context, seed, steps))
    print(f"{EXPERIMENT}: {len(todo)} runs to do: {todo}", flush=True)
    if args.dry_run:
        return 0
    for context, seed, _ in todo:
        print(f"== context {context}, seed {seed}", flush=True)
        run_one(args, context, seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
