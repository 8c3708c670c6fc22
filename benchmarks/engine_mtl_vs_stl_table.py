"""One table from the STL / MTL result files of ``engine_mtl_vs_stl.py`` (no training).

    .venv/bin/python benchmarks/engine_mtl_vs_stl_table.py \
        results/engine_mtl_vs_stl.json results/engine_stl_280.json results/engine_mtl_1960.json

Each file holds runs of one budget; a column is named by setting and steps per model (MTL steps
are the total over all corpora).  Differences are paired by seed.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path) -> dict[str, dict[str, dict[int, float]]]:
    """column -> corpus -> seed -> test F1 (%)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    args = data["args"]
    k = len(args["corpora"])
    stl_steps = args.get("stl_steps") or args["steps"]
    out: dict[str, dict[str, dict[int, float]]] = {}
    for run in data["runs"]:
        col = f"STL {stl_steps}" if run["setting"] == "STL" else f"MTL {args['steps'] * k}"
        for corpus, f1 in run["f1"].items():
            out.setdefault(col, {}).setdefault(corpus, {})[int(run["seed"])] = 100 * f1
    return out


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.2f} ± {sd:.2f} (n={len(values)})"


def main(paths: list[str]) -> None:
    cols: dict[str, dict[str, dict[int, float]]] = {}
    for p in paths:
        path = Path(p) if Path(p).is_file() else HERE / p
        for col, per in load(path).items():
            for corpus, seeds in per.items():
                cols.setdefault(col, {}).setdefault(corpus, {}).update(seeds)
    names = sorted(cols, key=lambda c: (int(c.split()[1]), c))
    corpora = list(next(iter(cols.values())))
    print("| corpus | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for corpus in corpora:
        cells = [ms(list(cols[c].get(corpus, {}).values())) for c in names]
        print(f"| {corpus} | " + " | ".join(cells) + " |")
    means = [
        statistics.mean(statistics.mean(v.values()) for v in cols[c].values() if v) for c in names
    ]
    print("| mean over corpora | " + " | ".join(f"{m:.2f}" for m in means) + " |")
    pairs = [(m, t) for m in names if m.startswith("MTL") for t in names if t.startswith("STL")]
    if not pairs:
        return
    print()
    print("| corpus | " + " | ".join(f"{m} − {t}" for m, t in pairs) + " |")
    print("|---" * (len(pairs) + 1) + "|")
    for corpus in corpora:
        cells = []
        for m, t in pairs:
            a, b = cols[m].get(corpus, {}), cols[t].get(corpus, {})
            diffs = [a[seed] - b[seed] for seed in sorted(set(a) & set(b))]
            cells.append(f"{statistics.mean(diffs):+.2f} (n={len(diffs)})" if diffs else "-")
        print(f"| {corpus} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
