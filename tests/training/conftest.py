"""Tiny encoder + two tiny synthetic corpora written to a temporary folder (no real weights)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

FILLER = ["the", "patients", "with", "were", "treated", "in", "and", "of"]


def write_corpus(folder: Path, entities: list[str], label: str, seed: int) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 40), ("devel", 12), ("test", 12)):
        lines: list[str] = []
        for _ in range(n):
            toks = [(w, "O") for w in rng.sample(FILLER, 4)]
            pos = rng.randrange(len(toks) + 1)
            ent = rng.choice(entities).split()
            tags = [("B-" if i == 0 else "I-") + label for i in range(len(ent))]
            toks[pos:pos] = list(zip(ent, tags, strict=True))
            lines += [f"{w}\t{t}" for w, t in toks] + [""]
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from mosaicner.testing.tiny import make_tiny_encoder

    root = tmp_path_factory.mktemp("tiny_training")
    enc = make_tiny_encoder(root / "encoder")
    dis = write_corpus(root / "dis", ["cancer", "asthma", "tumor"], "Disease", 1)
    chem = write_corpus(root / "chem", ["aspirin", "il-2", "drug"], "Chemical", 2)
    return {"root": root, "encoder": enc, "dis": dis, "chem": chem}


@pytest.fixture(scope="session")
def tiny_config(tiny_setup: dict[str, Any]) -> Any:
    """``tiny_config(**trainer_options)`` -> a config dict for the tiny corpora and encoder."""

    def make(**trainer: Any) -> dict[str, Any]:
        return tiny_config_dict(tiny_setup, **trainer)

    return make


def tiny_config_dict(setup: dict[str, Any], **trainer: Any) -> dict[str, Any]:
    return {
        "corpora": [
            {"name": str(setup["dis"]), "label_map": "original"},
            {"name": str(setup["chem"]), "label_map": "original"},
        ],
        "encoder": {"name": str(setup["encoder"]), "dropout": 0.1},
        "trainer": {"max_steps": 8, "eval_every": 4, "log_every": 2, **trainer},
        "batching": {"max_tokens": 120, "max_sentences": 8},
        "optimizer": {"encoder_lr": 1e-3, "head_lr": 1e-2, "warmup_ratio": 0.2},
        "num_threads": 1,
        "seed": 3,
    }
