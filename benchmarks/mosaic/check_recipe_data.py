"""Check what the mosaic recipes rely on, from the corpora themselves.

    PYTHONPATH=src MOSAICNER_DATA=/work/shared/corpora \
        python benchmarks/mosaic/check_recipe_data.py mosaic-quick

1. GENIA-nested and JNLPBA: how many sentences of each split the recipe *scores* also occur
   (same characters, spaces ignored) in a split the recipe *trains or selects* on of the other.
2. The merge's co-occurrence table: type pairs the recipe's training splits put on (nearly) the
   same span, with counts (what `models build` writes to merge.json).
"""

from __future__ import annotations

import argparse
import json

from mosaicner.corpora import resolve_corpus
from mosaicner.corpora.load import read_split
from mosaicner.store import recipe_path
from mosaicner.training.config import load_config
from mosaicner.training.recipe import cooccurrence_for_config


def sentences(corpus: str, split: str) -> set[str]:
    docs, _ = read_split(resolve_corpus(corpus), split)
    out = set()
    for d in docs:
        for s in d.sentences:
            text = "".join(t.text for t in d.tokens[s.token_start : s.token_end])
            if len(text) >= 20:  # skip short boilerplate
                out.add(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe")
    args = ap.parse_args()
    cfg = load_config(recipe_path(args.recipe))
    specs = {c.key: c for c in cfg.corpora}
    report: dict[str, object] = {}
    pairs = (("GENIA-nested", "JNLPBA"), ("JNLPBA", "GENIA-nested"))
    for scored, other in pairs:
        if scored not in specs or other not in specs:
            continue
        test = specs[scored].splits.test
        used = [s for s in (specs[other].splits.train, specs[other].splits.dev) if s]
        if test is None:
            continue
        t = sentences(scored, test)
        seen: set[str] = set()
        for split in used:
            seen |= sentences(other, split)
        report[f"{scored} {test} vs {other} {'+'.join(used)}"] = {
            "sentences": len(t),
            "shared": len(t & seen),
        }
    # control: the overlap the recipe avoids is real and this check sees it
    t = sentences("GENIA-nested", "test")
    report["control: GENIA-nested test vs JNLPBA devel (never read)"] = {
        "sentences": len(t),
        "shared": len(t & sentences("JNLPBA", "devel")),
    }
    allowed, counts = cooccurrence_for_config(cfg)
    report["cooccurrence"] = allowed
    report["cooccurrence_counts"] = counts
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
