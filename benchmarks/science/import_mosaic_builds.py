"""Records of the all-corpora model vs single-corpus models at full data (issue 11, item 1).

The mosaic-quick recipe (benchmarks/mosaic) trains one model on all eight shared corpora at full
data (one CRF head per corpus, uniform sampling, 1,800 steps, so 225 batches per corpus), and
``benchmarks/mosaic/single_corpus.py`` trains one model per corpus on the same 225 batches of
it.  Both are scored on the full test sets.  This script turns those build results (one file
per seed) into ``runs.jsonl`` records of experiment ``mtl_vs_stl``: condition ``all_corpora``
(steps 1,800) and ``stl_full_data`` (steps 225) for every corpus.  A (condition, seed) already
recorded is skipped, so it can be re-run as more seeds arrive.

    .venv/bin/python benchmarks/science/import_mosaic_builds.py \
        --all benchmarks/mosaic/results/build_mosaic-quick.json \
              benchmarks/mosaic/results/build_mosaic-quick-s2.json ... \
        --single benchmarks/mosaic/results/build_single-mosaic-quick.json ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import ROOT, RUNS, append_record, git_commit, is_finished, per_type, read_records

EXPERIMENT = "mtl_vs_stl"


def records_of(path: Path, condition: str) -> list[dict[str, Any]]:
    build: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    seed = int(build.get("seed") or 13)  # the first builds predate the seed field: recipe's 13
    steps = int(build["steps"])
    out = []
    for corpus, rep in build["reports"].items():
        micro = rep["micro"]
        out.append(
            {
                "experiment": EXPERIMENT,
                "condition": condition,
                "corpus": corpus,
                "seed": seed,
                "steps": steps,
                "f1": micro["f1"],
                "p": micro["precision"],
                "r": micro["recall"],
                "test_support": sum(int(v["support"]) for v in rep["per_type"].values()),
                "test_subsample": None,
                "command": build.get("command"),
                "source_file": str(path.resolve().relative_to(ROOT)),
                "git_commit": git_commit(),
                "train_data": "full",
                "recipe": "mosaic-quick",
                "per_type": per_type(rep),
                "ci95_f1": rep.get("ci95", {}).get("f1"),
                "wall_seconds": build.get("build_seconds"),
            }
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", nargs="+", type=Path, default=[], help="mosaic-quick build files")
    ap.add_argument("--single", nargs="+", type=Path, default=[], help="single-corpus files")
    ap.add_argument("--runs-file", type=Path, default=RUNS)
    args = ap.parse_args()
    done = read_records(args.runs_file)
    added = 0
    for paths, condition in ((args.all, "all_corpora"), (args.single, "stl_full_data")):
        for path in paths:
            recs = records_of(path, condition)
            if is_finished(
                done,
                experiment=EXPERIMENT,
                condition=condition,
                seed=recs[0]["seed"],
                steps=recs[0]["steps"],
                corpora=[r["corpus"] for r in recs],
            ):
                continue
            for rec in recs:
                append_record(rec, args.runs_file)
                added += 1
    print(f"{added} records added to {args.runs_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
