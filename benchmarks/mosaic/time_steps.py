"""Measure seconds per training step of a recipe (no evaluation), to size its step budget.

    PYTHONPATH=src python benchmarks/mosaic/time_steps.py mosaic-quick --steps 12 --out /tmp/t

Prints the corpus-loading time, the time of each step (the first steps include warm-up), the
mean over steps after the first two, and the wall time the recipe's ``max_steps`` would take.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time

from mosaicner.store import recipe_path
from mosaicner.training.config import load_config
from mosaicner.training.loop import Trainer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe")
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = load_config(recipe_path(args.recipe))
    budget = cfg.trainer.max_steps
    cfg = load_config(
        recipe_path(args.recipe),
        [
            f"trainer.max_steps={args.steps}",
            f"trainer.eval_every={args.steps + 1}",
            f"trainer.checkpoint_every={args.steps + 1}",
        ],
    )
    stamps: list[tuple[int, str, float]] = []
    t0 = time.perf_counter()
    trainer = Trainer(
        cfg,
        args.out,
        on_step=lambda step, info: stamps.append((step, info["corpus"], time.perf_counter())),
        progress=False,
    )
    trainer.run(resume=False)
    end = time.perf_counter()
    first = stamps[0][2] if stamps else end
    steps = [b[2] - a[2] for a, b in itertools.pairwise(stamps)]
    steady = steps[1:] if len(steps) > 2 else steps
    mean = statistics.mean(steady) if steady else float("nan")
    out = {
        "recipe": args.recipe,
        "setup_and_first_step_s": round(first - t0, 1),
        "step_s": [round(s, 2) for s in steps],
        "step_corpora": [c for _, c, _ in stamps],
        "mean_step_s": round(mean, 3),
        "max_steps": budget,
        "estimated_training_min": round((first - t0 + mean * budget) / 60, 1),
        "total_measured_s": round(end - t0, 1),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
