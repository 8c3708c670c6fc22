"""Single-corpus baselines of a mosaic recipe at the same budget per corpus.

    MOSAICNER_DATA=../shared/corpora PYTHONPATH=src python benchmarks/mosaic/single_corpus.py \
        mosaic-quick --out /tmp/single --threads 1

For each of the recipe's K corpora, trains one model on that corpus alone with the recipe's
encoder, head, optimizer and batches for ``max_steps / K`` steps (the number of batches of that
corpus the multi-corpus model sees under uniform sampling), selects on the corpus's dev
subsample when it has one (one evaluation, at the end, like the recipe's last one), and scores
the full test split.  Results go to ``benchmarks/mosaic/results/build_single-RECIPE.json`` in the
shape of a build's ``results.json`` (one report per corpus), rewritten after every corpus, so an
interrupted run continues where it stopped; ``design_table.py`` prints it beside the builds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from mosaicner.store import recipe_path
from mosaicner.training.config import load_config
from mosaicner.training.run import train_and_evaluate

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe")
    ap.add_argument("--out", required=True, help="folder for the run folders")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--corpus", action="append", default=[], help="only these corpora")
    ap.add_argument("--seed", type=int, default=None, help="seed (default: the recipe's)")
    ap.add_argument(
        "--results", default=None, help="results file (default results/build_single-RECIPE.json)"
    )
    args = ap.parse_args()
    base = load_config(recipe_path(args.recipe))
    k = len(base.corpora)
    steps = max(1, base.trainer.max_steps // k)
    target = (
        Path(args.results)
        if args.results
        else HERE / "results" / f"build_single-{args.recipe}.json"
    )
    done: dict[str, Any] = json.loads(target.read_text()) if target.is_file() else {}
    reports: dict[str, Any] = done.get("reports", {})
    seconds: dict[str, float] = done.get("corpus_seconds", {})
    for spec in base.corpora:
        if spec.key in reports or (args.corpus and spec.key not in args.corpus):
            continue
        run_dir = Path(args.out) / spec.key
        cfg = base.model_copy(
            update={
                "corpora": [spec],
                "trainer": base.trainer.model_copy(
                    update={"max_steps": steps, "eval_every": steps, "checkpoint_every": steps}
                ),
                "num_threads": args.threads,
                "seed": base.seed if args.seed is None else args.seed,
                "output_dir": str(run_dir),
            }
        )
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        _, reps = train_and_evaluate(cfg, run_dir, resume=True, progress=False)
        seconds[spec.key] = time.perf_counter() - t0
        rep = reps[spec.key]
        rep["load_average"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
        reports[spec.key] = rep
        micro = rep["micro"]
        print(f"{spec.key}: {steps} steps, test F1 {100 * micro['f1']:.2f}", flush=True)
        out = {
            "recipe": args.recipe,
            "steps": steps,
            "seed": base.seed if args.seed is None else args.seed,
            "final_split": "test",
            "command": "python " + " ".join(sys.argv),
            "reports": reports,
            "corpus_seconds": seconds,
            "build_seconds": sum(seconds.values()),
        }
        target.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
