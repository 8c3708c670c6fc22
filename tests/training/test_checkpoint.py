"""Checkpoints hold no pickle: a crafted one cannot run code when a run resumes."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from mosaicner.errors import MosaicnerError
from mosaicner.training.config import config_from_dict
from mosaicner.training.loop import Trainer


class _Payload:
    """Unpickling this object creates ``marker`` (as a hostile checkpoint would run code)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def _plant(folder: Path, name: str, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"phase": 0, "payload": _Payload(marker)}, folder / name)  # a pickle inside


@pytest.mark.parametrize("name", ["last.pt", "last.rank1.pt"])
def test_crafted_pickle_checkpoint_runs_no_code(
    tiny_config: Any, tmp_path: Path, name: str
) -> None:
    run = tmp_path / "run"
    marker = tmp_path / "pwned"
    _plant(run / "checkpoints", name, marker)
    _plant(run / "checkpoints", "last.pt", marker)
    cfg = config_from_dict(tiny_config())
    with pytest.raises(Exception) as err:
        Trainer(cfg, run, progress=False).run(resume=True)
    assert not marker.exists(), "unpickling the checkpoint ran code"
    assert isinstance(err.value, MosaicnerError) and "pickle" in str(err.value)


def test_state_round_trips_exactly(tmp_path: Path) -> None:
    from mosaicner.training.checkpoint import load_checkpoint, rng_state, save_checkpoint

    random.seed(5)
    np.random.seed(6)
    torch.manual_seed(7)
    p = torch.nn.Parameter(torch.randn(3, 2))
    opt = torch.optim.AdamW([{"params": [p], "lr": 0.1, "name": "x"}], eps=1e-8)
    p.sum().backward()
    opt.step()
    state = {
        "model": {"w": torch.randn(4), "b": torch.zeros(0)},
        "optimizer": opt.state_dict(),
        "best": -math.inf,
        "pairs": {"a": [0.5, 3]},
        "gen": np.random.default_rng(3).bit_generator.state,
    }
    save_checkpoint(tmp_path, state)
    back = load_checkpoint(tmp_path)
    assert back is not None
    assert torch.equal(back["model"]["w"], state["model"]["w"])
    assert back["model"]["b"].shape == (0,)
    assert back["best"] == -math.inf and back["pairs"] == {"a": [0.5, 3]}
    assert back["gen"] == state["gen"]
    assert back["optimizer"]["param_groups"] == opt.state_dict()["param_groups"]
    for k, v in opt.state_dict()["state"][0].items():
        assert torch.equal(back["optimizer"]["state"][0][k], v)
    now = rng_state()
    assert back["rng"]["python"] == now["python"]
    assert torch.equal(back["rng"]["torch"], now["torch"])
    assert np.array_equal(back["rng"]["numpy"][1], now["numpy"][1])
