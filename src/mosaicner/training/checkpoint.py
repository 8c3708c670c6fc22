"""Resumable training checkpoints, without pickle.

A checkpoint holds everything a killed run needs to continue exactly where it stopped: model,
optimizer and scheduler states, the corpus sampler and every batch stream, the random states
(python, numpy, torch) and the loop's bookkeeping (step, phase, best dev score, patience).

One file, ``checkpoints/last.safetensors`` (``last.rank<R>.safetensors`` for the other
processes of a data-parallel run): every tensor of the state is a safetensors tensor, and the
rest of the state is JSON in the file's metadata, with each tensor, tuple, numpy array and
non-string dict key replaced by a small tagged object.  Loading never unpickles, so a crafted
checkpoint cannot run code; a pickle checkpoint of an older version (``last.pt``) is refused
with an error that says what to do.  The file is written to a temporary name and renamed, so a
run killed while saving leaves the previous checkpoint intact.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from mosaicner.errors import ModelError

LAST = "last.safetensors"
STATE_KEY = "mosaicner_state"
_PICKLE_NAMES = ("last.pt", "last.rank*.pt")


def rng_state() -> dict[str, Any]:
    """The python, numpy and torch random states."""
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` returned."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def checkpoint_path(checkpoint_dir: str | Path, name: str = LAST) -> Path:
    """Where the checkpoint ``name`` lives."""
    return Path(checkpoint_dir) / name


# ------------------------------------------------------------------------ state <-> JSON
def _encode(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """JSON-able form of ``value``; tensors go to ``tensors`` under a fresh key."""
    if isinstance(value, torch.Tensor):
        key = f"t{len(tensors)}"
        tensors[key] = value.detach().to("cpu").contiguous().clone()
        return {"__tensor__": key}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, tensors) for v in value]}
    if isinstance(value, list):
        return [_encode(v, tensors) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _encode(v, tensors) for k, v in value.items()}
        return {"__items__": [[_encode(k, tensors), _encode(v, tensors)] for k, v in value.items()]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"checkpoint state cannot hold a {type(value).__name__}")


def _decode(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        return tensors[value["__tensor__"]]
    if "__ndarray__" in value:
        return np.asarray(value["__ndarray__"], dtype=np.dtype(value["dtype"]))
    if "__tuple__" in value:
        return tuple(_decode(v, tensors) for v in value["__tuple__"])
    if "__items__" in value:
        return {_decode(k, tensors): _decode(v, tensors) for k, v in value["__items__"]}
    return {k: _decode(v, tensors) for k, v in value.items()}


def save_checkpoint(checkpoint_dir: str | Path, state: dict[str, Any], name: str = LAST) -> Path:
    """Write ``state`` plus the current random states (atomically)."""
    path = checkpoint_path(checkpoint_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    meta = json.dumps(_encode({**state, "rng": rng_state()}, tensors))
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata={STATE_KEY: meta})
    os.replace(tmp, path)
    return path


def _refuse_pickle(folder: Path, name: str) -> None:
    old = sorted(p for pattern in _PICKLE_NAMES for p in folder.glob(pattern))
    if old and not checkpoint_path(folder, name).is_file():
        raise ModelError(
            "this run folder holds a pickle checkpoint of an older mosaicner; it is not loaded "
            "(unpickling a file can run code)",
            file=old[0],
            hint="start the run over with --fresh (or delete the checkpoints folder)",
        )


def load_checkpoint(checkpoint_dir: str | Path, name: str = LAST) -> dict[str, Any] | None:
    """The last checkpoint, or ``None`` when the folder has none.  Never unpickles."""
    folder = Path(checkpoint_dir)
    path = checkpoint_path(folder, name)
    _refuse_pickle(folder, name)
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = (fh.metadata() or {}).get(STATE_KEY)
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
        if meta is None:
            raise ValueError("no training state in the file")
        state: dict[str, Any] = _decode(json.loads(meta), tensors)
    except (SafetensorError, ValueError, KeyError, OSError) as exc:
        raise ModelError(
            f"the training checkpoint is damaged ({exc})",
            file=path,
            hint="start the run over with --fresh",
        ) from None
    return state


__all__ = [
    "LAST",
    "checkpoint_path",
    "load_checkpoint",
    "rng_state",
    "save_checkpoint",
    "seed_everything",
    "set_rng_state",
]
