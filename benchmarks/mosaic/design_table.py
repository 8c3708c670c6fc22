"""The design comparison of issue 10 (CRF head per corpus + merge vs one shared SRU-NER head):
a markdown table of strict span F1 per corpus on the full test sets, generated from the
``results.json`` files the builds wrote (copied into ``benchmarks/mosaic/results/``).

    python benchmarks/mosaic/design_table.py \
        results/build_mosaic-quick.json results/build_mosaic-quick-sru.json

Each argument is one design's ``results.json``; the column title is its file stem (minus
``build_``).  Prints F1 (P/R) per corpus with the bootstrap 95 % interval of F1 (and per type for
BC5CDR, whose published figures are per type), the macro average over corpora, the build's wall
time when recorded, and the published single-task BioBERT v1.1 test F1 (Lee et al. 2020, as
listed in ../shared/reference/akdemir-method.md) where a comparable figure exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# BioBERT v1.1 single-task test F1 (base-size encoder, 110M parameters, GPU fine-tuning); JNLPBA's
# published figure collapses the five GENIA types into one and is not comparable.
PUBLISHED = {
    "NCBI-disease": "89.71",
    "BC5CDR/Disease": "87.15",
    "BC5CDR/Chemical": "93.47",
    "BC2GM": "84.72",
    "linnaeus": "88.24",
    "JNLPBA": "77.49 (1 type)",
}
PER_TYPE = {"BC5CDR": ("Chemical", "Disease")}


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
    print("| corpus (test, sentences) | " + " | ".join(n for n, _ in runs) + " | BioBERT |")
    print("|---|" + "---|" * (len(runs) + 1))
    for c in corpora:
        n_items = next((r["reports"][c]["n_items"] for _, r in runs if c in r["reports"]), 0)
        row = [cell(res["reports"].get(c)) for _, res in runs]
        print(f"| {c} ({n_items:,}) | " + " | ".join(row) + f" | {PUBLISHED.get(c, '')} |")
        for t in PER_TYPE.get(c, ()):
            cells = []
            for _, res in runs:
                pt = (res["reports"].get(c) or {}).get("per_type", {}).get(t)
                cells.append(f"{100 * pt['f1']:.2f}" if pt else "–")
            print(f"| {c}/{t} | " + " | ".join(cells) + f" | {PUBLISHED.get(f'{c}/{t}', '')} |")
    macros = []
    for _, res in runs:
        f1s = [rep["micro"]["f1"] for rep in res["reports"].values()]
        macros.append(f"{100 * sum(f1s) / len(f1s):.2f}" if f1s else "–")
    print("| macro F1 over corpora | " + " | ".join(macros) + " | |")
    walls = [
        f"{res['build_seconds'] / 60:.1f} min" if "build_seconds" in res else "–" for _, res in runs
    ]
    print("| build wall time | " + " | ".join(walls) + " | |")
    steps = [str(res.get("steps", "–")) for _, res in runs]
    print("| steps | " + " | ".join(steps) + " | |")


if __name__ == "__main__":
    main(sys.argv[1:])
