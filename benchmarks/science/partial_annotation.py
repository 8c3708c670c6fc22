"""Does dynamic loss adjustment learn from partially annotated corpora? (issue 11, item 3)

Two experiments, both with one shared SRU-NER head (unified label space: one action per type)
and both scored on the **full** BC5CDR test set with both of its types (Chemical, Disease), in
the joined view:

``partial_annotation`` (real partial annotation)
    NCBI-disease (Disease only) + BC5CDR with its Disease annotations removed
    (``maps/bc5cdr-chemical-only.yaml``: chemicals only).  Disease must come from NCBI-disease,
    and BC5CDR's unannotated diseases must not be learned as non-entities.

``synthetic_ensemble`` (SRU-NER's synthetic ensemble)
    BC5CDR train cut into two contiguous halves at the reference's cut point
    (``benchmarks/sru_synthetic.py``): the first half keeps only Disease, the second only
    Chemical.

Conditions per seed, with ``S = --steps`` (uniform corpus sampling, so a joint model gives each
of its two corpora about half of its steps):

* ``joint_dynamic`` / ``joint_naive``: both corpora, dynamic loss on / off (naive: a sentence's
  unannotated types are negatives).  ``partial_annotation``: S steps, each corpus about S/2
  batches; ``synthetic_ensemble``: 2S steps, so each half gets as many updates as a single-half
  model (issue 11);
* ``single_ensemble``: one model per corpus (S/2 steps each for ``partial_annotation``, S for
  ``synthetic_ensemble``), their predictions joined (union) and scored as one answer;
* ``full_reference``: BC5CDR train with both types, as many steps as one single model — what
  full annotation gives at that budget.

One record per (experiment, condition, seed) goes to ``benchmarks/science/runs.jsonl`` (corpus
``BC5CDR``); recorded ones are skipped, interrupted trainings resume.

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 PYTHONPATH=src \
        .venv/bin/python benchmarks/science/partial_annotation.py --seeds 1 2 3 --steps 600 \
        --experiments partial_annotation synthetic_ensemble
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # sru_synthetic (the halves)

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

HERE = Path(__file__).resolve().parent

EXPERIMENTS = ("partial_annotation", "synthetic_ensemble")
CONDITIONS = ("joint_dynamic", "joint_naive", "single_ensemble", "full_reference")
TEST_CORPUS = "BC5CDR"
TYPES = ["Chemical", "Disease"]
CHEM_ONLY = HERE / "maps" / "bc5cdr-chemical-only.yaml"
SRU_OPTIONS: dict[str, Any] = {
    "label_space": "unified",
    "decoder_size": 256,
    "pointer_reads": "slot",
    "action_embed_std": 0.1,
    "positive_weight": 5.0,
}


@dataclass(frozen=True)
class Member:
    """One trained model: its corpora (name or path, label map) and step budget."""

    key: str
    corpora: tuple[tuple[str, str], ...]
    steps: int
    dynamic_loss: bool = True


def members(experiment: str, condition: str, steps: int, halves: Path) -> list[Member]:
    if experiment == "partial_annotation":
        a = ("NCBI-disease", "builtin")
        b = ("BC5CDR", str(CHEM_ONLY))
        joint, single = steps, max(1, steps // 2)
    else:
        a = (str(halves / "BC5_Dis"), "original")
        b = (str(halves / "BC5_Chem"), "original")
        joint, single = 2 * steps, steps
    if condition == "joint_dynamic":
        return [Member("joint", (a, b), joint)]
    if condition == "joint_naive":
        return [Member("joint", (a, b), joint, dynamic_loss=False)]
    if condition == "single_ensemble":
        return [Member("single-a", (a,), single), Member("single-b", (b,), single)]
    return [Member("full", (("BC5CDR", "builtin"),), single)]


def recorded_steps(experiment: str, condition: str, steps: int) -> int:
    """The ``steps`` of the record: the joint model's, or each member's."""
    return max(m.steps for m in members(experiment, condition, steps, Path(".")))


def train_config(member: Member, seed: int, args: argparse.Namespace, encoder: str) -> Any:
    from mosaicner.training.config import config_from_dict

    corpora = [
        {
            "name": name,
            "shared_head": "sru",
            "label_map": lmap,
            "subsample": args.train_subsample,
            "subsample_seed": seed,
            "splits": {"train": "train", "dev": "dev", "test": None},
        }
        for name, lmap in member.corpora
    ]
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
                    "options": {**SRU_OPTIONS, "dynamic_loss": member.dynamic_loss},
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
            "max_steps": member.steps,
            "eval_every": max(1, member.steps // args.evals),
            "dev_subsample": args.dev_subsample,
            "log_every": 10,
            "select_on": "macro",
        },
        "seed": seed,
        "num_threads": args.threads,
    }
    return config_from_dict(data, source=f"{member.key}")


def test_examples(args: argparse.Namespace) -> list[Any]:
    from mosaicner.training.config import CorpusSpec
    from mosaicner.training.data import prepare_corpus

    spec = CorpusSpec(
        name=TEST_CORPUS,
        label_map="builtin",
        splits={"train": "test", "dev": None, "test": None},  # type: ignore[arg-type]
    )
    exs = prepare_corpus(spec, roles=("train",)).examples("train")
    if args.test_subsample:
        exs = exs[: args.test_subsample]
    return [replace(ex, corpus=TEST_CORPUS) for ex in exs]


def run_condition(
    experiment: str, condition: str, seed: int, args: argparse.Namespace, encoder: str,
    tests: list[Any], halves: Path,
) -> None:  # fmt: skip
    from mosaicner.evaluation.report import evaluation_report
    from mosaicner.evaluation.views import joined_view
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.run import load_trained, train_and_evaluate

    clock = RunClock()
    folder = args.out / experiment / condition / f"seed{seed}"
    preds: list[set[tuple[int, int, str]]] = [set() for _ in tests]
    best_steps: dict[str, int | None] = {}
    for member in members(experiment, condition, args.steps, halves):
        cfg = train_config(member, seed, args, encoder)
        run_dir = folder / member.key
        cfg = cfg.model_copy(update={"output_dir": str(run_dir)})
        result, _ = train_and_evaluate(cfg, run_dir, progress=False, n_resamples=0)
        best_steps[member.key] = result.best_step
        loaded = load_trained(result.model_dir)
        for i, spans in enumerate(predict_raw(loaded.model, tests)):
            preds[i].update(joined_view(spans))
    gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in tests]
    pred = [sorted(p) for p in preds]
    rep = evaluation_report(TEST_CORPUS, "test", gold, pred, TYPES, n_resamples=args.bootstrap)
    micro = rep["micro"]
    mem = members(experiment, condition, args.steps, halves)
    record = {
        "experiment": experiment,
        "condition": condition,
        "corpus": TEST_CORPUS,
        "seed": seed,
        "steps": recorded_steps(experiment, condition, args.steps),
        "f1": micro["f1"],
        "p": micro["precision"],
        "r": micro["recall"],
        "test_support": sum(int(v["support"]) for v in rep["per_type"].values()),
        "test_subsample": args.test_subsample,
        **clock.extras(
            run_dir=str(folder),
            members={m.key: {"corpora": [list(c) for c in m.corpora], "steps": m.steps,
                             "dynamic_loss": m.dynamic_loss} for m in mem},
            best_steps=best_steps,
            encoder=args.encoder,
            threads=args.threads,
            per_type=per_type(rep),
            ci95_f1=rep.get("ci95", {}).get("f1"),
        ),
    }  # fmt: skip
    append_record(record, args.runs_file)
    by_type = ", ".join(f"{t} {100 * v['f1']:.2f}" for t, v in sorted(rep["per_type"].items()))
    print(f"{experiment} {condition} seed {seed}: F1 {100 * micro['f1']:.2f} ({by_type})")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--experiments", nargs="+", choices=EXPERIMENTS, default=list(EXPERIMENTS))
    ap.add_argument("--conditions", nargs="+", choices=CONDITIONS, default=list(CONDITIONS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--steps", type=int, default=600, help="S (see the module docstring)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--encoder", default="all-MiniLM-L6-v2", help="encoder name, or 'tiny'")
    ap.add_argument("--freeze-layers", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=700)
    ap.add_argument("--evals", type=int, default=4, help="dev evaluations per model")
    ap.add_argument("--dev-subsample", type=int, default=300)
    ap.add_argument("--train-subsample", type=int, default=None, help="smoke tests only")
    ap.add_argument("--test-subsample", type=int, default=None, help="smoke tests only")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "partial_annotation")
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    args.out = args.out.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    done = read_records(args.runs_file)
    todo = [
        (e, c, s)
        for s in args.seeds
        for e in args.experiments
        for c in args.conditions
        if not is_finished(
            done,
            experiment=e,
            condition=c,
            seed=s,
            steps=recorded_steps(e, c, args.steps),
            corpora=[TEST_CORPUS],
            test_subsample=args.test_subsample,
        )
    ]
    total = sum(m.steps for e, c, _ in todo for m in members(e, c, args.steps, Path(".")))
    print(f"{len(todo)} conditions to run ({total} training steps): {todo}", flush=True)
    if args.dry_run or not todo:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    halves = args.out / "halves"
    if "synthetic_ensemble" in {e for e, _, _ in todo}:
        from sru_synthetic import make_halves

        data = Path(os.environ.get("MOSAICNER_DATA", ROOT.parent / "shared" / "corpora"))
        make_halves(data, halves)
    encoder = encoder_name(args.encoder, args.out)
    tests = test_examples(args)
    for e, c, s in todo:
        print(f"== {e} {c} seed {s}", flush=True)
        run_condition(e, c, s, args, encoder, tests, halves)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
