"""Which corpus trains at each step.

One corpus per step (Akdemir & Shibuya): sample a task, then draw the next batch of that task.
The probabilities are uniform (the reference), proportional to training-set size, or
temperature-scaled (p_k ~ n_k^(1/T)).  The sampler owns a numpy generator whose state is saved in
checkpoints, so a resumed run draws the same sequence as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mosaicner.errors import ConfigError


def corpus_probabilities(
    sizes: Mapping[str, int], kind: str = "uniform", temperature: float = 1.0
) -> dict[str, float]:
    """Sampling probability of each corpus (in the order of ``sizes``)."""
    if not sizes:
        raise ConfigError("no corpus to sample from")
    names = list(sizes)
    n = np.array([max(0, int(sizes[k])) for k in names], dtype=np.float64)
    if kind == "uniform":
        w = np.ones_like(n)
    elif kind == "proportional":
        w = n
    elif kind == "temperature":
        if temperature <= 0:
            raise ConfigError(f"sampler temperature must be > 0, got {temperature}")
        w = n ** (1.0 / temperature)
    else:
        raise ConfigError(
            f"unknown sampler {kind!r}", expected="uniform, proportional or temperature"
        )
    w = np.where(n > 0, w, 0.0)
    if w.sum() <= 0:
        raise ConfigError("every corpus has zero training sentences")
    p = w / w.sum()
    return {k: float(v) for k, v in zip(names, p, strict=True)}


class CorpusSampler:
    """Draws one corpus name per step with fixed probabilities and a resumable generator."""

    def __init__(
        self,
        sizes: Mapping[str, int],
        kind: str = "uniform",
        temperature: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.probabilities = corpus_probabilities(sizes, kind, temperature)
        self.names = list(self.probabilities)
        self._p = np.array([self.probabilities[k] for k in self.names])
        self.rng = np.random.default_rng(seed)
        self.drawn: dict[str, int] = dict.fromkeys(self.names, 0)

    def __call__(self) -> str:
        name = self.names[int(self.rng.choice(len(self.names), p=self._p))]
        self.drawn[name] += 1
        return name

    def state_dict(self) -> dict[str, Any]:
        """The generator state and draw counts (saved in checkpoints)."""
        return {"rng": self.rng.bit_generator.state, "drawn": dict(self.drawn)}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.rng.bit_generator.state = state["rng"]
        self.drawn = {k: int(state["drawn"].get(k, 0)) for k in self.names}


__all__ = ["CorpusSampler", "corpus_probabilities"]
