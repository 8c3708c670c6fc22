"""Pooled MTL gains of the low-resource ``mtl_vs_stl`` design (issue 11, item 1).

Per corpus, three seeds give wide t-intervals; this pools the seed-paired differences
``mtl+AUX @ MTL_STEPS - stl @ B`` of the related pairs (NCBI-disease <- BC5CDR, BC2GM <- JNLPBA,
AnatEM <- BioNLP13CG) over corpora and seeds, and prints the control pair (NCBI-disease <-
linnaeus) apart.  The (corpus, seed) differences are treated as independent, which they are
not quite (the seeds of one corpus share its test set), so read the interval as indicative.

    .venv/bin/python benchmarks/science/mtl_pooled.py
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tables import t_quantile
from records import RUNS, read_records

RELATED = {"NCBI-disease": "mtl+BC5CDR", "BC2GM": "mtl+JNLPBA", "AnatEM": "mtl+BioNLP13CG"}
CONTROL = {"NCBI-disease": "mtl+linnaeus"}


def pooled(
    f1: dict[tuple[str, str, int, int], float],
    pairs: dict[str, str],
    mtl_steps: int,
    stl_steps: int,
) -> tuple[list[float], float, float, float] | None:
    """Differences in points, their mean and 95% t-interval (None with fewer than two)."""
    diffs = [
        100 * (f1[(c, m, mtl_steps, s)] - f1[(c, "stl", stl_steps, s)])
        for c, m in pairs.items()
        for (cc, cond, steps, s) in sorted(f1)
        if (cc, cond, steps) == (c, m, mtl_steps) and (c, "stl", stl_steps, s) in f1
    ]
    if len(diffs) < 2:
        return None
    mean = statistics.fmean(diffs)
    half = t_quantile(len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return diffs, mean, mean - half, mean + half


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument("--target-train", type=int, default=300)
    ap.add_argument("--mtl-steps", type=int, default=400)
    ap.add_argument("--stl-steps", type=int, nargs="+", default=[200, 400])
    args = ap.parse_args(argv)
    f1 = {
        (r["corpus"], r["condition"], int(r["steps"]), int(r["seed"])): float(r["f1"])
        for r in read_records(args.runs_file)
        if r["experiment"] == "mtl_vs_stl" and r.get("target_train") == args.target_train
    }
    for name, pairs in (("related pairs", RELATED), ("control pair", CONTROL)):
        for base in args.stl_steps:
            res = pooled(f1, pairs, args.mtl_steps, base)
            if res is None:
                print(f"{name}: mtl @ {args.mtl_steps} - stl @ {base}: fewer than two pairs")
                continue
            diffs, mean, lo, hi = res
            wins = sum(d > 0 for d in diffs)
            print(
                f"{name}: mtl @ {args.mtl_steps} - stl @ {base}: n={len(diffs)} "
                f"mean {mean:+.2f} points, 95% CI [{lo:+.2f}, {hi:+.2f}], "
                f"MTL wins {wins}/{len(diffs)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
