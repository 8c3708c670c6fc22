"""Tiny synthetic IOB2 corpora for tests (torch-free)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

FILLER = ("the", "patients", "with", "were", "treated", "in", "and", "of")


def write_tiny_corpus(
    folder: Path,
    entities: Sequence[str],
    label: str,
    seed: int,
    sizes: Sequence[tuple[str, int]] = (("train", 40), ("devel", 12), ("test", 12)),
) -> Path:
    """Write ``train/devel/test.tsv``: each sentence is 4 filler words plus one seeded entity."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in sizes:
        lines: list[str] = []
        for _ in range(n):
            toks = [(w, "O") for w in rng.sample(list(FILLER), 4)]
            pos = rng.randrange(len(toks) + 1)
            ent = rng.choice(list(entities)).split()
            tags = [("B-" if i == 0 else "I-") + label for i in range(len(ent))]
            toks[pos:pos] = list(zip(ent, tags, strict=True))
            lines += [f"{w}\t{t}" for w, t in toks] + [""]
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


__all__ = ["FILLER", "write_tiny_corpus"]
