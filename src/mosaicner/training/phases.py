"""The phases of a training run and the moving parts of each.

Modes are phases of one loop: ``single``/``pairwise``/``all``/``transfer-b`` have one phase;
``transfer-a`` first trains on the auxiliary corpora for ``transfer.stage1_steps`` steps, then
fine-tunes on the target.  Every phase has its own corpus sampler, batch streams, optimizer,
schedule and selection (:class:`PhaseRun`), saved in checkpoints and restored on resume.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from mosaicner.data.batching import BatchStream
from mosaicner.training.config import TrainConfig
from mosaicner.training.optim import make_optimizer_and_schedule
from mosaicner.training.sampling import CorpusSampler
from mosaicner.training.selection import Selection


@dataclass
class Phase:
    """A stretch of training on some corpora, with its own optimizer and selection."""

    name: str
    corpora: list[str]
    steps: int
    selection: str  # "macro" or a corpus name
    select: bool = True  # keep the best dev checkpoint in this phase


def plan_phases(cfg: TrainConfig) -> list[Phase]:
    """The phases of the configured mode (two for ``transfer-a``, else one)."""
    keys = [c.key for c in cfg.training_corpora()]
    steps = cfg.trainer.max_steps
    if cfg.mode == "transfer-a":
        assert cfg.target is not None
        aux = [k for k in keys if k != cfg.target]
        return [
            Phase("auxiliary", aux, cfg.transfer.stage1_steps, "macro", select=False),
            Phase("target", [cfg.target], steps, cfg.target),
        ]
    return [Phase("main", keys, steps, cfg.selection)]


@dataclass
class PhaseRun:
    """The moving parts of one phase: sampler, batch streams, optimizer, schedule, selection."""

    phase: Phase
    index: int
    sampler: CorpusSampler
    streams: dict[str, BatchStream]
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    selection: Selection
    step: int = 0

    def data_state(self) -> dict[str, Any]:
        """What every process needs to resume: its corpus sampler and batch streams."""
        return {
            "sampler": self.sampler.state_dict(),
            "streams": {k: s.state_dict() for k, s in self.streams.items()},
        }

    def state_dict(self) -> dict[str, Any]:
        """The phase's resumable state (the model is saved by the caller)."""
        return {
            "phase": self.index,
            "step": self.step,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            **self.data_state(),
            **self.selection.state_dict(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.sampler.load_state_dict(state["sampler"])
        for k, s in self.streams.items():
            s.load_state_dict(state["streams"][k])
        self.step = int(state["step"])
        self.selection.load_state_dict(state)


def start_phase(
    cfg: TrainConfig,
    phase: Phase,
    idx: int,
    model: Any,
    lengths: Mapping[str, list[int]],
    sizes: Mapping[str, int],
    rank: int = 0,
    keys: Mapping[str, Sequence[Hashable] | None] | None = None,
) -> PhaseRun:
    """Fresh sampler, streams, optimizer, schedule and selection for ``phase``; the seeds
    depend on the run's seed, the phase and the process (``rank``), never on the clock."""
    bcfg = cfg.batching
    seed = cfg.seed + 1000 * idx + 7919 * rank
    sampler = CorpusSampler(sizes, cfg.sampler.kind, cfg.sampler.temperature, seed=seed)
    streams = {
        k: BatchStream(
            lengths[k],
            bcfg.max_tokens,
            bcfg.max_sentences,
            bcfg.bucket_size,
            seed=seed + 17 * (i + 1),
            keys=(keys or {}).get(k),
        )
        for i, k in enumerate(phase.corpora)
    }
    optimizer, scheduler = make_optimizer_and_schedule(model, cfg, phase.steps)
    per_corpus = cfg.trainer.keep_best_per_corpus and phase.select
    selection = Selection(phase.selection, phase.select, per_corpus, cfg.trainer.patience)
    return PhaseRun(phase, idx, sampler, streams, optimizer, scheduler, selection)


__all__ = ["Phase", "PhaseRun", "plan_phases", "start_phase"]
