"""Synthetic ensemble (SRU-NER, Ruano et al. 2025): can one model learn both types from two
disjoint, partially annotated halves of BC5CDR?

BC5CDR train is cut into two contiguous halves at the sentence holding the last
``Pretreatment<TAB>O`` line (the reference's cut point; that sentence starts the second half).
The first half keeps only Disease (``BC5_Dis``), the second only Chemical (``BC5_Chem``).  Models,
all with the SRU head and the same step budget:

* ``sDisease``: BC5_Dis alone; ``sChemical``: BC5_Chem alone;
* ``sBoth-dynamic``: both halves, one shared SRU head, dynamic loss adjustment;
* ``sBoth-naive``: the same with ``dynamic_loss: false`` (unannotated types are negatives);
* ``ST-full``: full BC5CDR train (both types everywhere).

Every model is scored on BC5CDR test (a seeded subsample when ``--test-sentences`` is set)
with both types, on the joined view (corpus prefixes stripped).

Usage::

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 \
        .venv/bin/python benchmarks/sru_synthetic.py --steps 80 --test-sentences 1000 --seed 13

``--seed`` sets the training seed of every model (default 13, the seed of the committed
results); the test subsample is drawn with a fixed seed (0), so it is the same for every run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
# the short-budget settings of configs/genia-nested-quick.yaml
SRU_OPTIONS = {
    "decoder_size": 256,
    "pointer_reads": "slot",
    "action_embed_std": 0.1,
    "positive_weight": 5.0,
}


def read_sentences(path: Path) -> list[list[str]]:
    sents: list[list[str]] = []
    cur: list[str] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            cur.append(line)
        elif cur:
            sents.append(cur)
            cur = []
    if cur:
        sents.append(cur)
    return sents


def cut_index(sents: list[list[str]], marker: str) -> int:
    """Index of the last sentence holding the marker line (the first of the second half)."""
    for i in range(len(sents) - 1, -1, -1):
        if marker in sents[i]:
            return i
    raise SystemExit(f"marker {marker!r} not found")


def keep_only(sents: list[list[str]], label: str) -> list[list[str]]:
    out = []
    for s in sents:
        rows = []
        for line in s:
            tok, tag = line.split("\t")
            if tag != "O" and tag[2:] != label:
                tag = "O"
            rows.append(f"{tok}\t{tag}")
        out.append(rows)
    return out


def write(sents: list[list[str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\n".join(s) + "\n\n" for s in sents), encoding="utf-8")


def make_halves(data: Path, out: Path) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    for split, marker in (("train", "Pretreatment\tO"), ("devel", "Metformin\tB-Chemical")):
        sents = read_sentences(data / "BC5CDR" / f"{split}.tsv")
        k = cut_index(sents, marker)
        write(keep_only(sents[:k], "Disease"), out / "BC5_Dis" / f"{split}.tsv")
        write(keep_only(sents[k:], "Chemical"), out / "BC5_Chem" / f"{split}.tsv")
        stats[split] = {"sentences": len(sents), "cut": k}
    return stats


def config(corpora: list[dict[str, Any]], args: argparse.Namespace, **sru: Any) -> dict[str, Any]:
    return {
        "corpora": corpora,
        "encoder": {
            "name": "all-MiniLM-L6-v2",
            "pooling": "max",
            "dropout": 0.1,
            "freeze_layers": args.freeze_layers,
        },
        "heads": {"shared": {"sru": {"type": "sru", "options": {**SRU_OPTIONS, **sru}}}},
        "batching": {"max_tokens": args.max_tokens, "max_sentences": 24},
        "optimizer": {
            "encoder_lr": 1e-4,
            "head_lr": 5e-3,
            "weight_decay": 0.001,
            "warmup_ratio": 0.05,
            "freeze_embeddings": True,
        },
        "trainer": {
            "max_steps": args.steps,
            "eval_every": args.steps,
            "log_every": 10,
            "final_split": "test",
        },
        "num_threads": 1,
        "seed": args.seed,
    }


def corpus(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "shared_head": "sru", "label_map": "original", **kw}


def evaluate(model_dir: Path, test_sentences: int | None, seed: int) -> dict[str, Any]:
    import torch

    from mosaicner.evaluation.metrics import score_spans
    from mosaicner.evaluation.views import joined_view
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.config import CorpusSpec
    from mosaicner.training.data import prepare_corpus
    from mosaicner.training.run import load_trained

    torch.set_num_threads(1)
    loaded = load_trained(model_dir)
    spec = CorpusSpec(
        name="BC5CDR",
        label_map="original",
        splits={"train": "test", "dev": None, "test": None},  # type: ignore[arg-type]
    )
    examples = prepare_corpus(spec, roles=("train",)).examples("train")
    if test_sentences and test_sentences < len(examples):
        examples = random.Random(seed).sample(examples, test_sentences)
    t0 = time.time()
    raw = predict_raw(loaded.model, examples)
    secs = time.time() - t0
    gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in examples]
    scores = score_spans(gold, [joined_view(p) for p in raw], ["Chemical", "Disease"])
    out = scores.to_dict()
    out["sentences"] = len(examples)
    out["predict_seconds"] = round(secs, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--max-tokens", type=int, default=700)
    ap.add_argument("--freeze-layers", type=int, default=3)
    ap.add_argument("--test-sentences", type=int, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "sru_synthetic")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--seed", type=int, default=13, help="training seed of every model")
    args = ap.parse_args()
    data = Path(os.environ.get("MOSAICNER_DATA", ROOT.parent / "shared" / "corpora"))
    halves = args.out / "data"
    cut = make_halves(data, halves)
    dis, chem = str(halves / "BC5_Dis"), str(halves / "BC5_Chem")
    no_test = {"splits": {"train": "train", "dev": None, "test": None}}
    both = [corpus(dis, **no_test), corpus(chem, **no_test)]
    models = {
        "sBoth-dynamic": config(both, args),
        "sBoth-naive": config(both, args, dynamic_loss=False),
        "ST-full": config([corpus("BC5CDR", **no_test)], args),
        "sDisease": config([corpus(dis, **no_test)], args),
        "sChemical": config([corpus(chem, **no_test)], args),
    }
    results_path = ROOT / "benchmarks" / "sru_synthetic_results.json"
    results: dict[str, Any] = (
        json.loads(results_path.read_text()) if results_path.exists() and args.only else {}
    )
    results["setup"] = {
        "command": " ".join(sys.argv),
        "cut": cut,
        "steps": args.steps,
        "max_tokens": args.max_tokens,
        "freeze_layers": args.freeze_layers,
        "test_sentences": args.test_sentences or "all",
        "seed": args.seed,
        "encoder": "all-MiniLM-L6-v2 (max pooling); SRU options " + json.dumps(SRU_OPTIONS),
        "hardware": "2 shared CPU cores, torch threads 1",
    }
    results.setdefault("models", {})
    for name, cfg in models.items():
        if args.only and name not in args.only:
            continue
        run = args.out / name
        cfg_path = args.out / f"{name}.yaml"
        cfg_path.parent.mkdir(parents=True, exist_ok=True)
        cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        t0 = time.time()
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "mosaicner"),
                "train",
                str(cfg_path),
                "--output",
                str(run),
                "--quiet",
                "--fresh",
            ],
            check=True,
        )
        train_s = time.time() - t0
        res = evaluate(run / "model", args.test_sentences, 0)
        res["train_seconds"] = round(train_s, 1)
        results["models"][name] = res
        print(name, json.dumps(res["micro"]), flush=True)
        results_path.write_text(json.dumps(results, indent=2))
    write_markdown(results)


def write_markdown(results: dict[str, Any]) -> None:
    s = results["setup"]
    lines = [
        "# SRU-NER synthetic ensemble on BC5CDR (measured)",
        "",
        f"Command: `{s['command']}`",
        "",
        f"Budget: {s['steps']} steps per model, batches of <= {s['max_tokens']} subword tokens, "
        f"lower {s['freeze_layers']} encoder layers frozen; {s['encoder']}; {s['hardware']}.  "
        f"Test: BC5CDR test, {s['test_sentences']} sentences (seeded subsample when a number), "
        "both types, strict span match, joined view.  BC5CDR train cut at sentence "
        f"{s['cut']['train']['cut']} of {s['cut']['train']['sentences']}.",
        "",
        "| model | train data | Chemical F1 | Disease F1 | micro P | micro R | micro F1 | "
        "train s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    data = {
        "sDisease": "first half, Disease only",
        "sChemical": "second half, Chemical only",
        "sBoth-dynamic": "both halves, dynamic loss",
        "sBoth-naive": "both halves, naive merge",
        "ST-full": "full train, both types",
    }
    for name, r in results["models"].items():
        pt = r["per_type"]
        lines.append(
            f"| {name} | {data.get(name, '')} | {100 * pt['Chemical']['f1']:.2f} | "
            f"{100 * pt['Disease']['f1']:.2f} | {100 * r['micro']['precision']:.2f} | "
            f"{100 * r['micro']['recall']:.2f} | {100 * r['micro']['f1']:.2f} | "
            f"{r['train_seconds']:.0f} |"
        )
    (ROOT / "benchmarks" / "sru_synthetic_results.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
