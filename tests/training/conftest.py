"""Tiny encoder + two tiny synthetic corpora written to a temporary folder (no real weights)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mosaicner.testing.corpora import write_tiny_corpus


def write_corpus(folder: Path, entities: list[str], label: str, seed: int) -> Path:
    return write_tiny_corpus(
        folder, entities, label, seed, (("train", 40), ("devel", 12), ("test", 12))
    )


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
