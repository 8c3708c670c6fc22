"""Seeds of the mosaic-quick recipe and its single-corpus baselines: mean ± sd, paired diffs.

    cd benchmarks/mosaic && python seeds_table.py \
        --mosaic results/build_mosaic-quick.json results/build_mosaic-quick-s2.json ... \
        --single results/build_single-mosaic-quick.json ...

Each file is one seed (the seed is read from the file: ``seed`` or, for the first builds, the
recipe's 13).  Prints strict micro F1 per corpus (full test sets) as mean ± sample sd over the
seeds, and the paired difference mosaic − single over the seeds both have, with a 95 %
t-interval over the per-seed differences and how many seeds the mosaic model wins.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from scipy.stats import t

ORDER = [
    "BC2GM",
    "BC5CDR",
    "NCBI-disease",
    "linnaeus",
    "AnatEM",
    "BioNLP13CG",
    "JNLPBA",
    "GENIA-nested",
]


def by_seed(paths: list[str]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for p in paths:
        rec: dict[str, Any] = json.loads(Path(p).read_text(encoding="utf-8"))
        seed = int(rec.get("seed") or 13)
        out[seed] = {c: 100 * float(r["micro"]["f1"]) for c, r in rec["reports"].items()}
    return out


def mean_sd(xs: list[float]) -> str:
    if not xs:
        return "–"
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.2f} ± {sd:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mosaic", nargs="+", required=True)
    ap.add_argument("--single", nargs="+", required=True)
    args = ap.parse_args()
    mos, sin = by_seed(args.mosaic), by_seed(args.single)
    print(f"mosaic seeds {sorted(mos)}, single-corpus seeds {sorted(sin)}; strict micro F1, %\n")
    print("| corpus | mosaic-quick | single-corpus | mosaic − single (paired) | 95% CI | wins |")
    print("|---|---:|---:|---:|---|---:|")
    macro_m: dict[int, list[float]] = {}
    macro_s: dict[int, list[float]] = {}
    for c in ORDER:
        m = [mos[s][c] for s in sorted(mos) if c in mos[s]]
        s_ = [sin[s][c] for s in sorted(sin) if c in sin[s]]
        paired = [mos[s][c] - sin[s][c] for s in sorted(mos) if s in sin and c in sin[s]]
        for s in mos:
            macro_m.setdefault(s, []).append(mos[s][c])
        for s in sin:
            if c in sin[s]:
                macro_s.setdefault(s, []).append(sin[s][c])
        print(f"| {c} | {mean_sd(m)} | {mean_sd(s_)} | {_diff(paired)} |")
    mm = [statistics.mean(v) for v in macro_m.values() if len(v) == len(ORDER)]
    ms = [statistics.mean(v) for v in macro_s.values() if len(v) == len(ORDER)]
    paired = [
        statistics.mean(macro_m[s]) - statistics.mean(macro_s[s])
        for s in sorted(macro_m)
        if s in macro_s and len(macro_m[s]) == len(macro_s[s]) == len(ORDER)
    ]
    print(f"| macro | {mean_sd(mm)} | {mean_sd(ms)} | {_diff(paired)} |")


def _diff(d: list[float]) -> str:
    if not d:
        return "– | – | –"
    mean = statistics.mean(d)
    if len(d) < 2:
        return f"{mean:+.2f} | (one seed) | {sum(x > 0 for x in d)}/{len(d)}"
    half = t.ppf(0.975, len(d) - 1) * statistics.stdev(d) / len(d) ** 0.5
    return (
        f"{mean:+.2f} | [{mean - half:+.2f}, {mean + half:+.2f}] | {sum(x > 0 for x in d)}/{len(d)}"
    )


if __name__ == "__main__":
    main()
