"""Single-task (STL) vs all-corpora multi-task (MTL) training on the shared flat corpora.

Heavily subsampled so that it runs on a shared 2-core CPU (the figures are NOT comparable with
full-data results):

* each corpus: a seeded subsample of ``--train`` training sentences; model selection on a seeded
  ``--dev`` dev subsample; scores on a seeded ``--test`` test subsample (same for every run);
* STL: one model per corpus, ``--steps`` steps; MTL: one model, uniform corpus sampling,
  ``--steps`` x K steps (so every corpus gets the same number of batches in expectation: equal
  total compute);
* default MiniLM encoder (word embeddings frozen, as in the quickstart), CRF heads, the
  quickstart's optimiser settings; seeds ``--seeds``.

    HF_HUB_OFFLINE=1 MOSAICNER_DATA=../shared/corpora .venv/bin/python \
      benchmarks/engine_mtl_vs_stl.py --seeds 1 2 3 --steps 100 --train 500 --test 300

Writes benchmarks/results/engine_mtl_vs_stl.json (every run) and prints the Markdown table
(mean +- sd of test F1 over seeds, per corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from mosaicner.training.config import config_from_dict
from mosaicner.training.data import prepare_corpus, subsample_examples
from mosaicner.training.loop import Trainer
from mosaicner.training.run import load_trained

CORPORA = ["NCBI-disease", "BC5CDR", "linnaeus", "BC2GM", "JNLPBA", "AnatEM", "BioNLP13CG"]
OUT = Path(__file__).resolve().parent / "results"


def base_config(names: list[str], args: argparse.Namespace, seed: int, steps: int) -> Any:
    return config_from_dict(
        {
            "corpora": [{"name": n, "subsample": args.train, "subsample_seed": 0} for n in names],
            "mode": "all" if len(names) > 1 else "single",
            "sampler": {"kind": "uniform"},
            "batching": {"max_tokens": args.max_tokens, "max_sentences": 32},
            "optimizer": {
                "encoder_lr": 5e-5,
                "head_lr": 1e-3,
                "warmup_ratio": 0.06,
                "freeze_embeddings": True,
            },
            "trainer": {
                "max_steps": steps,
                "eval_every": max(1, steps // 2),
                "dev_subsample": args.dev,
                "log_every": 50,
            },
            "seed": seed,
            "num_threads": args.threads,
        }
    )


def test_sets(names: list[str], n: int) -> dict[str, Any]:
    out = {}
    for name in names:
        cfg = config_from_dict({"corpora": [{"name": name}]})
        pc = prepare_corpus(cfg.corpora[0], roles=("test",))
        out[name] = subsample_examples(pc.examples("test"), n, 0)
    return out


def score(model_dir: Path, names: list[str], tests: dict[str, Any]) -> dict[str, float]:
    from mosaicner.training.evaluate import evaluate_examples

    loaded = load_trained(model_dir)
    types = loaded.metadata["corpora"]
    return {
        n: evaluate_examples(
            loaded.model,
            tests[n],
            types[n]["types"],
            corpus=n,
            split="test-sub",
            n_resamples=0,
        )["micro"]["f1"]
        for n in names
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--corpora", nargs="+", default=CORPORA)
    ap.add_argument("--steps", type=int, default=100, help="STL steps (MTL: steps x K)")
    ap.add_argument("--train", type=int, default=500)
    ap.add_argument("--dev", type=int, default=200)
    ap.add_argument("--test", type=int, default=300)
    ap.add_argument("--max-tokens", type=int, default=600)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--stl-steps",
        type=int,
        default=None,
        help="STL steps when they should differ from --steps (e.g. --steps x K: as many encoder "
        "updates as the MTL model gets)",
    )
    ap.add_argument("--no-mtl", action="store_true", help="run only the STL models")
    ap.add_argument("--no-stl", action="store_true", help="run only the MTL models")
    ap.add_argument("--out", default="engine_mtl_vs_stl.json", help="file name under results/")
    args = ap.parse_args()
    stl_steps = args.stl_steps or args.steps
    names = list(args.corpora)
    tests = test_sets(names, args.test)
    runs: list[dict[str, Any]] = []
    OUT.mkdir(parents=True, exist_ok=True)
    t_all = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            if not args.no_mtl:
                t0 = time.time()
                cfg = base_config(names, args, seed, args.steps * len(names))
                Trainer(cfg, Path(tmp) / f"mtl-{seed}", progress=False).run(resume=False)
                f1 = score(Path(tmp) / f"mtl-{seed}" / "model", names, tests)
                runs.append({"setting": "MTL", "seed": seed, "f1": f1, "seconds": time.time() - t0})
                print("MTL", seed, {k: round(100 * v, 2) for k, v in f1.items()}, flush=True)
            for name in [] if args.no_stl else names:
                t0 = time.time()
                cfg = base_config([name], args, seed, stl_steps)
                Trainer(cfg, Path(tmp) / f"stl-{name}-{seed}", progress=False).run(resume=False)
                f1 = score(Path(tmp) / f"stl-{name}-{seed}" / "model", [name], tests)
                runs.append({"setting": "STL", "seed": seed, "f1": f1, "seconds": time.time() - t0})
                print("STL", seed, name, round(100 * f1[name], 2), flush=True)
            _write(runs, args, names, time.time() - t_all)


def _write(
    runs: list[dict[str, Any]], args: argparse.Namespace, names: list[str], secs: float
) -> None:
    table: dict[str, dict[str, list[float]]] = {n: {"STL": [], "MTL": []} for n in names}
    for r in runs:
        for n, v in r["f1"].items():
            table[n][r["setting"]].append(100 * v)

    def ms(v: list[float]) -> str:
        if not v:
            return "-"
        sd = statistics.stdev(v) if len(v) > 1 else 0.0
        return f"{statistics.mean(v):.2f} ± {sd:.2f}"

    lines = [
        "| corpus | STL test F1 | MTL test F1 | MTL − STL |",
        "|---|---|---|---|",
    ]
    for n in names:
        s, m = table[n]["STL"], table[n]["MTL"]
        k = min(len(s), len(m))
        diff = statistics.mean([m[i] - s[i] for i in range(k)]) if k else float("nan")
        lines.append(f"| {n} | {ms(s)} | {ms(m)} | {diff:+.2f} |")
    md = "\n".join(lines)
    (OUT / args.out).write_text(
        json.dumps(
            {
                "args": vars(args),
                "runs": runs,
                "seconds_total": secs,
                "load_average_at_end": os.getloadavg(),
                "table_markdown": md,
            },
            indent=2,
        )
    )
    print(md, flush=True)


if __name__ == "__main__":
    main()
