"""Resumable training checkpoints.

A checkpoint holds everything a killed run needs to continue exactly where it stopped: model,
optimizer and scheduler states, the corpus sampler and every batch stream, the random states
(python, numpy, torch) and the loop's bookkeeping (step, phase, best dev score, patience).
It is written to a temporary file and renamed, so a run killed while saving leaves the previous
checkpoint intact.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

LAST = "last.pt"


def rng_state() -> dict[str, Any]:
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def checkpoint_path(checkpoint_dir: str | Path, name: str = LAST) -> Path:
    return Path(checkpoint_dir) / name


def save_checkpoint(checkpoint_dir: str | Path, state: dict[str, Any], name: str = LAST) -> Path:
    path = checkpoint_path(checkpoint_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({**state, "rng": rng_state()}, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(checkpoint_dir: str | Path, name: str = LAST) -> dict[str, Any] | None:
    """The last checkpoint, or ``None`` when the folder has none."""
    path = checkpoint_path(checkpoint_dir, name)
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return state


__all__ = [
    "checkpoint_path",
    "load_checkpoint",
    "rng_state",
    "save_checkpoint",
    "seed_everything",
    "set_rng_state",
]
