"""The cross-corpus table of benchmarks/mosaic/README.md from the raw result files.

    python benchmarks/mosaic/cross_table.py

Columns: the held-out F1 (P/R) of the merged answer as built (``results/cross_corpus.json``),
the same with the merge deference (``results/cross_corpus_deference.json``, cross-a only: the
only build with an AnatEM head), the source corpus's head alone, the in-corpus figure (the test
corpus's own head in mosaic-quick, mean over the seed builds), and cross-a + WNUT-17 with the
deference, scored with max-score (``results/cross_corpus_maxscore_deference.json``; the vote
policy it chose on dev gives the same figures, ``results/cross_corpus.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

R = Path(__file__).resolve().parent / "results"
PAIRS = [
    ("Gene_or_protein", "BC2GM", "JNLPBA"),
    ("Disease", "NCBI-disease", "BC5CDR"),
    ("Species", "linnaeus", "BioNLP13CG"),
    ("Chemical", "BC5CDR", "BioNLP13CG"),
    ("Anatomy", "AnatEM", "BioNLP13CG"),
]
CROSS_A = ("BC2GM", "BC5CDR", "linnaeus", "AnatEM")


def runs(name: str) -> dict[str, Any]:
    return dict(json.loads((R / name).read_text(encoding="utf-8"))["runs"])


def merged(rs: dict[str, Any], key: str, typ: str) -> tuple[float, float, float] | None:
    r = rs.get(key)
    if not r:
        return None
    row = r["report"]["per_type"].get(typ, {})
    return tuple(100 * row.get(k, 0.0) for k in ("f1", "precision", "recall"))  # type: ignore[return-value]


def alone(rs: dict[str, Any], key: str, typ: str, src: str) -> float | None:
    r = rs.get(key)
    if not r or "head_alone" not in r:
        return None
    return 100 * float(r["head_alone"][f"{typ}|{src}"]["f1"])


def main() -> None:
    base = runs("cross_corpus.json")
    dfr = runs("cross_corpus_deference.json")
    wnut = runs("cross_corpus_maxscore_deference.json")
    own: dict[tuple[str, str], list[float]] = {}
    for f in sorted(R.glob("build_mosaic-quick.json")) + sorted(
        R.glob("build_mosaic-quick-s[0-9]*.json")
    ):
        for c, rep in json.loads(f.read_text(encoding="utf-8"))["reports"].items():
            for t, row in rep["per_type"].items():
                own.setdefault((c, t), []).append(100 * float(row["f1"]))
    print(
        "| type | trained on → held-out test | model | merged (P/R) | + deference | head alone "
        "| in-corpus | cross-a-wnut: merged + deference | head alone |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for typ, a, b in PAIRS:
        for src, tgt in ((a, b), (b, a)):
            m = "cross-a" if src in CROSS_A else "cross-b"
            key = f"{m}|{tgt}"
            c = merged(base, key, typ)
            d = merged(dfr, key, typ) if m == "cross-a" else None
            al = alone(base, key, typ, src)
            ref = own.get((tgt, typ))
            w = merged(wnut, f"cross-a-wnut|{tgt}", typ) if m == "cross-a" else None
            wal = alone(base, f"cross-a-wnut|{tgt}", typ, src) if m == "cross-a" else None
            cells = [
                f"{c[0]:.2f} ({c[1]:.1f}/{c[2]:.1f})" if c else "–",
                f"{d[0]:.2f}" if d else "no AnatEM head",
                f"{al:.2f}" if al is not None else "–",
                f"{sum(ref) / len(ref):.2f}" if ref else "–",
                f"{w[0]:.2f}" if w else "–",
                f"{wal:.2f}" if wal is not None else "–",
            ]
            print(f"| {typ} | {src} → {tgt} | {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
