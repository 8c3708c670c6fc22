"""General + biomedical types in one SRU model: WNUT-17 beside BC5CDR (issue 14).

SRU-NER (Ruano et al. 2025) trains CoNLL-2003 and BC5CDR in one model, so a person, a company
or a place in a biomedical abstract is found too, and dynamic loss adjustment keeps each corpus
from teaching that the other's types are not entities.  Here WNUT-17 (CC BY 4.0) stands in for
CoNLL-2003.  Both corpora go through their built-in label maps (WNUT-17: Person, Location,
Organization, Product, Creative_work; BC5CDR: Chemical, Disease), into one SRU head with a
unified label space (one action per canonical type).  Conditions, per seed:

* ``joint_dynamic``: WNUT-17 + BC5CDR, dynamic loss adjustment, ``--steps`` steps (uniform
  corpus sampling: each corpus gets about ``steps / 2`` batches);
* ``joint_naive``: the same with ``dynamic_loss: false`` (the naive merge: a sentence's
  unannotated types are negatives);
* ``single``: one model per corpus at ``steps / 2`` steps, i.e. as many batches of its corpus as
  the joint models give it;
* ``single_equal_steps`` (optional, ``--conditions``): one model per corpus at ``steps`` steps,
  as many encoder updates as a joint model, to tell "more updates" from "the other corpus".

Every model is scored on the **full** test sets (unless ``--test-subsample``) in the joined view
(:func:`mosaicner.evaluation.views.score_views`; with a unified label space the separate view is
the same).  Predictions of types a sentence's corpus does not annotate ("global predictions",
e.g. Person on a BC5CDR sentence) are counted per type and exported for review as
``global_predictions.tsv`` / ``.jsonl`` in the run folder (:mod:`mosaicner.analysis.ood`).
Single-corpus models are also run on the other corpus's test set, only for their global
predictions (what a general-only or biomedical-only model predicts out of its domain).

One record per (condition, corpus, seed) goes to ``benchmarks/science/runs.jsonl`` with
``experiment: general_biomedical`` when the run finishes; a (condition, seed) that already has
its records is skipped, and an interrupted training resumes from its last checkpoint.

Usage (the real run; see benchmarks/science/README.md for the time it takes)::

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 PYTHONPATH=src \
        .venv/bin/python benchmarks/science/general_biomedical.py --seeds 1 2 3 --steps 1200

Smoke test (random tiny encoder, small subsamples, a scratch records file)::

    .venv/bin/python benchmarks/science/general_biomedical.py --encoder tiny --steps 4 \
        --train-subsample 40 --dev-subsample 20 --test-subsample 30 --seeds 1 \
        --out /tmp/gb --runs-file /tmp/gb/runs.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
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

EXPERIMENT = "general_biomedical"
GENERAL = "WNUT-17"
BIOMEDICAL = "BC5CDR"
CORPORA = (GENERAL, BIOMEDICAL)
CONDITIONS = ("joint_dynamic", "joint_naive", "single", "single_equal_steps")
DEFAULT_CONDITIONS = ("joint_dynamic", "joint_naive", "single")
# the short-budget SRU head settings of configs/genia-nested-quick.yaml (see its comments),
# with one action per canonical type shared by both corpora
SRU_OPTIONS: dict[str, Any] = {
    "label_space": "unified",
    "decoder_size": 256,
    "pointer_reads": "slot",
    "action_embed_std": 0.1,
    "positive_weight": 5.0,
}


@dataclass(frozen=True)
class Run:
    """One training run: a condition, a seed, the corpora it trains on and its step budget."""

    condition: str
    seed: int
    corpora: tuple[str, ...]
    steps: int
    dynamic_loss: bool = True

    @property
    def name(self) -> str:
        tail = "" if len(self.corpora) > 1 else f"-{self.corpora[0]}"
        return f"{self.condition}{tail}/seed{self.seed}"


def plan(args: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    half = max(1, args.steps // len(CORPORA))
    for seed in args.seeds:
        for cond in args.conditions:
            if cond == "joint_dynamic":
                runs.append(Run(cond, seed, CORPORA, args.steps))
            elif cond == "joint_naive":
                runs.append(Run(cond, seed, CORPORA, args.steps, dynamic_loss=False))
            else:
                steps = half if cond == "single" else args.steps
                runs.extend(Run(cond, seed, (c,), steps) for c in CORPORA)
    return runs


def train_config(run: Run, args: argparse.Namespace, encoder: str) -> Any:
    from mosaicner.training.config import config_from_dict

    corpora = [
        {
            "name": c,
            "shared_head": "sru",
            "label_map": "builtin",
            "subsample": args.train_subsample,
            "subsample_seed": run.seed,
            "splits": {"train": "train", "dev": "dev", "test": None},  # scored below instead
        }
        for c in run.corpora
    ]
    eval_every = args.eval_every or max(1, run.steps // args.evals)
    data = {
        "corpora": corpora,
        "encoder": {
            "name": encoder,
            "pooling": "max",
            "dropout": 0.1,
            "freeze_layers": args.freeze_layers if args.encoder != "tiny" else 0,
        },
        "heads": {
            "shared": {
                "sru": {
                    "type": "sru",
                    "options": {**SRU_OPTIONS, "dynamic_loss": run.dynamic_loss},
                }
            }
        },
        "mode": "all",
        "sampler": {"kind": "uniform"},
        "batching": {"max_tokens": args.max_tokens, "max_sentences": 24},
        "optimizer": {
            "encoder_lr": 1e-4,
            "head_lr": 5e-3,
            "weight_decay": 0.001,
            "warmup_ratio": 0.05,
            "freeze_embeddings": True,
        },
        "trainer": {
            "max_steps": run.steps,
            "eval_every": eval_every,
            "dev_subsample": args.dev_subsample,
            "log_every": 10,
            "select_on": "macro",
        },
        "seed": run.seed,
        "num_threads": args.threads,
        "output_dir": str(args.out / run.name),
    }
    return config_from_dict(data, source=f"{EXPERIMENT}:{run.name}")


def test_examples(corpus: str, args: argparse.Namespace) -> tuple[list[Any], list[str]]:
    """Test sentences of ``corpus`` (built-in label map) and the canonical types it annotates."""
    from mosaicner.training.config import CorpusSpec
    from mosaicner.training.data import prepare_corpus, resolve_label_map

    spec = CorpusSpec(
        name=corpus,
        label_map="builtin",
        splits={"train": "test", "dev": None, "test": None},  # type: ignore[arg-type]
    )
    examples = prepare_corpus(spec, roles=("train",)).examples("train")
    if args.test_subsample and args.test_subsample < len(examples):
        keep = sorted(random.Random(0).sample(range(len(examples)), args.test_subsample))
        examples = [examples[i] for i in keep]
    types = list(resolve_label_map("builtin", corpus).output_labels)
    return [replace(ex, corpus=corpus) for ex in examples], types


def score_model(
    model_dir: Path, run: Run, args: argparse.Namespace, tests: dict[str, Any]
) -> dict[str, Any]:
    """Joined-view scores on every test set, global predictions counted and exported."""
    from mosaicner.analysis.ood import collect_ood, write_ood
    from mosaicner.evaluation.report import evaluation_report
    from mosaicner.evaluation.views import joined_view, score_views
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.run import load_trained

    loaded = load_trained(model_dir)
    out: dict[str, Any] = {}
    ood: list[Any] = []
    for corpus in CORPORA:
        examples, types = tests[corpus]
        t0, c0 = time.perf_counter(), time.process_time()
        raw = predict_raw(loaded.model, examples)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in examples]
        views = score_views(gold, raw, corpus, types)
        ood.extend(collect_ood(examples, raw, types))
        entry: dict[str, Any] = {
            "predict_seconds": round(secs, 1),
            "predict_cpu_seconds": round(cpu, 1),
            "sentences": len(examples),
            "global_predictions": dict(sorted(views.global_predictions.items())),
        }
        if corpus in run.corpora:
            entry["report"] = evaluation_report(
                corpus,
                "test",
                gold,
                [joined_view(p) for p in raw],
                types,
                n_resamples=args.bootstrap,
                seed=0,
            )
            entry["separate_f1"] = views.separate.micro.f1
        out[corpus] = entry
    folder = model_dir.parent
    write_ood(ood, folder / "global_predictions.tsv")
    write_ood(ood, folder / "global_predictions.jsonl")
    return out


def run_one(run: Run, args: argparse.Namespace, encoder: str, tests: dict[str, Any]) -> None:
    from mosaicner.training.run import train_and_evaluate

    cfg = train_config(run, args, encoder)
    run_dir = args.out / run.name
    clock = RunClock()
    batches: Counter[str] = Counter()
    step_times: list[tuple[float, float]] = []  # (wall, process CPU) after each step

    def on_step(step: int, info: dict[str, Any]) -> None:
        batches[str(info.get("corpus"))] += 1
        step_times.append((time.perf_counter(), time.process_time()))

    result, _ = train_and_evaluate(cfg, run_dir, on_step=on_step, progress=False, n_resamples=0)
    train_s = clock.seconds()
    scores = score_model(Path(result.model_dir), run, args, tests)
    n = len(step_times) - 1  # steps timed (the first step's end starts the clock)
    s_per_step = (step_times[-1][0] - step_times[0][0]) / n if n > 0 else None
    cpu_per_step = (step_times[-1][1] - step_times[0][1]) / n if n > 0 else None
    for corpus in run.corpora:
        rep = scores[corpus]["report"]
        micro = rep["micro"]
        support = sum(int(v["support"]) for v in rep["per_type"].values())
        extras = clock.extras(
            run_dir=str(run_dir),
            model_dir=str(result.model_dir),
            train_corpora=list(run.corpora),
            dynamic_loss=run.dynamic_loss,
            label_space="unified",
            encoder=args.encoder,
            train_subsample=args.train_subsample,
            dev_subsample=args.dev_subsample,
            best_step=result.best_step,
            train_seconds=round(train_s, 1),
            seconds_per_step=round(s_per_step, 3) if s_per_step else None,
            cpu_seconds_per_step=round(cpu_per_step, 3) if cpu_per_step else None,
            batches_per_corpus=dict(batches) if batches else None,
            threads=args.threads,
            per_type=per_type(rep),
            ci95_f1=rep.get("ci95", {}).get("f1"),
            separate_f1=scores[corpus]["separate_f1"],
            predict_seconds=scores[corpus]["predict_seconds"],
            predict_cpu_seconds=scores[corpus]["predict_cpu_seconds"],
            global_predictions=scores[corpus]["global_predictions"],
            global_predictions_other_corpus={
                c: scores[c]["global_predictions"] for c in CORPORA if c not in run.corpora
            },
            global_predictions_file=str(run_dir / "global_predictions.tsv"),
        )
        record = {
            "experiment": EXPERIMENT,
            "condition": run.condition,
            "corpus": corpus,
            "seed": run.seed,
            "steps": run.steps,
            "f1": micro["f1"],
            "p": micro["precision"],
            "r": micro["recall"],
            "test_support": support,
            "test_subsample": args.test_subsample,
            **extras,
        }
        append_record(record, args.runs_file)
        print(
            f"{run.name} {corpus}: F1 {100 * micro['f1']:.2f} (P {100 * micro['precision']:.2f}"
            f", R {100 * micro['recall']:.2f}); global predictions "
            f"{json.dumps(scores[corpus]['global_predictions'])}",
            flush=True,
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--steps", type=int, default=1200, help="steps of a joint model")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--conditions", nargs="+", choices=CONDITIONS, default=DEFAULT_CONDITIONS)
    ap.add_argument("--encoder", default="all-MiniLM-L6-v2", help="encoder name, or 'tiny'")
    ap.add_argument("--freeze-layers", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=700)
    ap.add_argument("--evals", type=int, default=4, help="dev evaluations per run")
    ap.add_argument("--eval-every", type=int, default=None, help="overrides --evals")
    ap.add_argument("--dev-subsample", type=int, default=300, help="dev sentences per corpus")
    ap.add_argument("--train-subsample", type=int, default=None, help="smoke tests only")
    ap.add_argument("--test-subsample", type=int, default=None, help="smoke tests only")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (CI)")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / EXPERIMENT)
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    args = ap.parse_args(argv)
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
            experiment=EXPERIMENT,
            condition=r.condition,
            seed=r.seed,
            steps=r.steps,
            corpora=r.corpora,
            test_subsample=args.test_subsample,
        )
    ]
    print(
        f"{EXPERIMENT}: {len(runs)} runs planned, {len(runs) - len(todo)} already recorded in "
        f"{args.runs_file}, {len(todo)} to do ({sum(r.steps for r in todo)} steps)",
        flush=True,
    )
    if args.dry_run or not todo:
        for r in todo:
            print(f"  {r.name}: {r.steps} steps on {', '.join(r.corpora)}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = encoder_name(args.encoder, args.out)
    tests = {c: test_examples(c, args) for c in CORPORA}
    for run in todo:
        print(f"== {run.name}: {run.steps} steps on {', '.join(run.corpora)}", flush=True)
        run_one(run, args, encoder, tests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
