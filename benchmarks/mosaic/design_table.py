"""The design comparison of issue 10 (CRF head per corpus + merge vs one shared SRU-NER head):
a markdown table of strict span F1 per corpus on the full test sets, generated from the
``results.json`` files the builds wrote (copied into ``benchmarks/mosaic/results/``).

    python benchmarks/mosaic/design_table.py \
        results/build_mosaic-quick.json results/build_mosaic-quick-sru.json

Each argument is one design's ``results.json``; the column title is its file stem (minus
``build_``).  Prints F1 (P/R) per corpus with the bootstrap 95 % interval of F1, the macro
average over corpora and the build's wall time when recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def load(path: Path) -> tuple[str, dict[str, Any]]:
    name = path.stem.removeprefix("build_")
    return name, json.loads(path.read_text(encoding="utf-8"))


def cell(rep: dict[str, Any] | None) -> str:
    if rep is None:
        return "–"
    m = rep["micro"]
    text = f"{100 * m['f1']:.2f} ({100 * m['precision']:.1f}/{100 * m['recall']:.1f})"
    ci = rep.get("ci95")
    if ci:
        text += f" [{100 * ci['f1'][0]:.1f}, {100 * ci['f1'][1]:.1f}]"
    return text


def main(argv: list[str]) -> None:
    here = Path(__file__).resolve().parent
    runs = [load(p if p.is_absolute() or p.exists() else here / p) for p in map(Path, argv)]
    corpora: list[str] = []
    for _, res in runs:
        for c in res["reports"]:
            if c not in corpora:
                corpora.append(c)
    print("| corpus (test, sentences) | " + " | ".join(n for n, _ in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for c in corpora:
        n_items = next((r["reports"][c]["n_items"] for _, r in runs if c in r["reports"]), 0)
        row = [cell(res["reports"].get(c)) for _, res in runs]
        print(f"| {c} ({n_items:,}) | " + " | ".join(row) + " |")
    macros = []
    for _, res in runs:
        f1s = [rep["micro"]["f1"] for rep in res["reports"].values()]
        macros.append(f"{100 * sum(f1s) / len(f1s):.2f}" if f1s else "–")
    print("| macro F1 over corpora | " + " | ".join(macros) + " |")
    walls = [
        f"{res['build_seconds'] / 60:.1f} min" if "build_seconds" in res else "–" for _, res in runs
    ]
    print("| build wall time | " + " | ".join(walls) + " |")
    steps = [str(res.get("steps", "–")) for _, res in runs]
    print("| steps | " + " | ".join(steps) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
