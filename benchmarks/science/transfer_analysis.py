"""Transfer matrix analysis: gains from ``runs.jsonl``, measures vs gains, LOTO recommender.

    .venv/bin/python benchmarks/science/transfer_analysis.py [--similarity FILE] [--out DIR]
    # sensitivity: the same analysis without every pair that involves BioNLP13CG
    ... transfer_analysis.py --exclude BioNLP13CG \
        --out benchmarks/science/transfer_matrix/without_BioNLP13CG

Reads the ``transfer_matrix`` records of ``benchmarks/science/runs.jsonl`` (written by
``mtl_vs_stl.py --experiment transfer_matrix --pairs all``).  For every (target, auxiliary) the
gain is the seed-paired difference F1(MTL target+aux) − F1(STL target), averaged over the seeds
both have; the STL baseline is the one whose steps equal the target's batches in the MTL run
(``mtl steps / 2`` under uniform sampling).  Then, against the similarity measures computed
before any training (``benchmarks/transfer_similarity/similarity.json``):

* per-target and pooled correlations (Pearson, Spearman, Kendall), with a permutation test of
  the mean per-target Spearman rho that shuffles gains only within each target (pairs of one
  target share its baseline, so pooled p-values overstate the evidence);
* the leave-one-target-out recommender (the measure is chosen on the other targets, then its
  top auxiliary for the held-out target is compared with that target's median auxiliary),
  scored on every target.

Writes ``OUT/gains.json``, ``OUT/correlations.json``, ``OUT/correlations.md`` and
``OUT/loto.json`` and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import ROOT, RUNS, read_records

EXPERIMENT = "transfer_matrix"


def gains_from_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seed-paired gains ``{target, auxiliary, gain, f1_stl, f1_mtl, sd, n_seeds}``."""
    stl: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)  # (target, steps) -> seeds
    mtl: dict[tuple[str, str, int], dict[int, float]] = defaultdict(dict)
    for r in records:
        if r["experiment"] != EXPERIMENT or r.get("test_subsample") is not None:
            continue
        if r["condition"] == "stl":
            stl[(r["corpus"], int(r["steps"]))][int(r["seed"])] = float(r["f1"])
        elif r["condition"].startswith("mtl+"):
            aux = r["condition"][4:]
            mtl[(r["corpus"], aux, int(r["steps"]))][int(r["seed"])] = float(r["f1"])
    out = []
    for (target, aux, steps), by_seed in sorted(mtl.items()):
        base = stl.get((target, steps // 2), {})
        seeds = sorted(set(by_seed) & set(base))
        if not seeds:
            continue
        diffs = [by_seed[s] - base[s] for s in seeds]
        out.append(
            {
                "target": target,
                "auxiliary": aux,
                "gain": statistics.mean(diffs),
                "f1_stl": statistics.mean(base[s] for s in seeds),
                "f1_mtl": statistics.mean(by_seed[s] for s in seeds),
                "sd": statistics.stdev(diffs) if len(diffs) > 1 else None,
                "n_seeds": len(seeds),
                "mtl_steps": steps,
                "stl_steps": steps // 2,
            }
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    ap.add_argument(
        "--similarity",
        type=Path,
        default=ROOT / "benchmarks" / "transfer_similarity" / "similarity.json",
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / EXPERIMENT)
    ap.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        help="corpora whose pairs (as target or auxiliary) are left out: a sensitivity check",
    )
    args = ap.parse_args()
    from mosaicner.analysis.correlate import correlate, markdown_table
    from mosaicner.analysis.output import read_records as read_similarity
    from mosaicner.analysis.recommend import loto_hit_rate

    excluded = set(args.exclude)

    def kept(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["target"] not in excluded and r["auxiliary"] not in excluded]

    gains = kept(gains_from_records(read_records(args.runs_file)))
    if not gains:
        print(f"no transfer_matrix pairs with both MTL and STL records in {args.runs_file}")
        return 1
    similarity = kept(read_similarity(args.similarity))
    report = correlate(similarity, gains)
    measures = sorted({r["measure"] for r in similarity})
    loto = loto_hit_rate(similarity, gains, measures)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gains.json").write_text(json.dumps(gains, indent=1), encoding="utf-8")
    (args.out / "correlations.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    table = markdown_table(report)
    (args.out / "correlations.md").write_text(table + "\n", encoding="utf-8")
    (args.out / "loto.json").write_text(json.dumps(loto, indent=1), encoding="utf-8")
    targets = sorted({g["target"] for g in gains})
    seeds = sorted({g["n_seeds"] for g in gains})
    left_out = f", pairs with {sorted(excluded)} left out" if excluded else ""
    print(f"{len(gains)} pairs over {len(targets)} targets (seeds per pair: {seeds}){left_out}")
    positive = sum(1 for g in gains if g["gain"] > 0)
    print(f"gains > 0: {positive} of {len(gains)}\n")
    print(table)
    print(
        f"\nleave-one-target-out recommender: hit rate {loto['hit_rate']:.2f} over "
        f"{loto['n_targets']} targets (chance {loto['chance_hit_rate']:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
