"""Nested output on GENIA-nested test through the tagging path (merge on), per model.

    MOSAICNER_HOME=... python benchmarks/mosaic/nested_check.py mosaic-quick mosaic-quick-nested

For each installed model: tags the GENIA-nested test documents exactly as ``mosaicner tag``
does, and scores the merged answer against the nested gold (strict character spans, GENIA's
types after its built-in label map): micro P/R/F1; recall of the *inner* gold mentions (those
inside another gold mention) and of the outer ones; and how many predicted spans lie inside
another predicted span.  Writes ``results/nested_check.json``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def inside(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return b[0] <= a[0] and a[1] <= b[1] and a != b


def main(names: list[str]) -> None:
    from mosaicner.data.model import GOLD
    from mosaicner.inference.scoring import gold_documents, score_documents
    from mosaicner.inference.tagger import Tagger

    out_path = HERE / "results" / "nested_check.json"
    results: dict[str, Any] = json.loads(out_path.read_text()) if out_path.is_file() else {}
    for name in names:
        tagger = Tagger.load(name)
        gold, types = gold_documents("GENIA-nested", "test", None)
        t0 = time.perf_counter()
        tagged = tagger.tag_documents([d.without_layer(GOLD) for d in gold])
        secs = time.perf_counter() - t0
        rep = score_documents(gold, tagged, types, corpus="GENIA-nested", split="test")
        inner_hit = inner_n = outer_hit = outer_n = nested_pred = 0
        for g, p in zip(gold, tagged, strict=True):
            gspans = [(s.start, s.end, s.label) for s in g.layer(GOLD)]
            pspans = {(s.start, s.end, s.label) for s in p.layer(tagger.layer) if s.label in types}
            gpos = [(a, b) for a, b, _ in gspans]
            for a, b, lab in gspans:
                is_inner = any(inside((a, b), o) for o in gpos)
                hit = (a, b, lab) in pspans
                if is_inner:
                    inner_n += 1
                    inner_hit += hit
                else:
                    outer_n += 1
                    outer_hit += hit
            ppos = [(a, b) for a, b, _ in pspans]
            nested_pred += sum(1 for x in ppos if any(inside(x, o) for o in ppos))
        m = rep["micro"]
        results[name] = {
            "micro": m,
            "per_type": rep["per_type"],
            "inner_gold": inner_n,
            "inner_recall": inner_hit / max(inner_n, 1),
            "outer_gold": outer_n,
            "outer_recall": outer_hit / max(outer_n, 1),
            "predicted_inside_another_prediction": nested_pred,
            "merge_policy": tagger.merge.policy,
            "seconds": round(secs, 1),
            "load_average": round(os.getloadavg()[0], 2),
            "command": "python " + " ".join(sys.argv),
        }
        print(
            f"{name}: F1 {100 * m['f1']:.2f} (P {100 * m['precision']:.2f}, R "
            f"{100 * m['recall']:.2f}); inner gold {inner_n}, recall "
            f"{100 * inner_hit / max(inner_n, 1):.2f}; outer gold {outer_n}, recall "
            f"{100 * outer_hit / max(outer_n, 1):.2f}; predictions inside another: {nested_pred}",
            flush=True,
        )
        out_path.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:] or ["mosaic-quick"])
