"""Data-parallel training over several processes (CPU or GPU), launched with ``accelerate``.

    accelerate launch --num_processes 2 --cpu $(which mosaicner) train CONFIG --output RUN

Each process samples its own corpus and batch every step (its sampler and batch streams are
seeded with its rank), so one optimizer step sees ``processes x accumulation`` batches.  After
the backward pass the gradients are averaged over processes (a parameter nobody touched keeps
no gradient, so AdamW leaves unsampled heads alone, as in the single-process loop).  Process 0
evaluates, saves the model, writes metrics and the checkpoint; every other process writes its
own sampler, batch-stream and RNG states next to it (``last.rank<R>.safetensors``) so a resumed run
continues every stream.  Without a launcher (``WORLD_SIZE`` unset or 1) nothing here does
anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class Dist:
    """This process's place in a data-parallel run (rank 0 of 1 when not distributed)."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        """Whether this is process 0 (it evaluates, saves and writes the logs)."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        """Whether several processes train together."""
        return self.world > 1

    @classmethod
    def setup(cls) -> Dist:
        """Join the process group described by the launcher's environment (``WORLD_SIZE``,
        ``RANK``), if any.
        """
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls()
        import torch.distributed as td

        if not td.is_initialized():
            try:
                from accelerate import PartialState

                PartialState()
            except Exception:  # accelerate absent or not configured: plain torch
                pass
        if not td.is_initialized():
            td.init_process_group("gloo" if not torch.cuda.is_available() else "nccl")
        return cls(td.get_rank(), td.get_world_size())

    def barrier(self) -> None:
        """Wait for every process (no-op when not distributed)."""
        if self.active:
            import torch.distributed as td

            td.barrier()

    def broadcast_model(self, model: torch.nn.Module) -> None:
        """Give every process the weights of process 0."""
        if not self.active:
            return
        import torch.distributed as td

        with torch.no_grad():
            for t in model.state_dict().values():
                if torch.is_floating_point(t):
                    td.broadcast(t, 0)

    def average_gradients(self, model: torch.nn.Module) -> None:
        """Average the gradients of ``model`` over the processes (parameters without a gradient
        count as zero).
        """
        if not self.active:
            return
        import torch.distributed as td

        params = [p for p in model.parameters() if p.requires_grad]
        flags = torch.tensor([float(p.grad is not None) for p in params])
        td.all_reduce(flags)
        for p, f in zip(params, flags.tolist(), strict=True):
            if f == 0:
                continue
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            td.all_reduce(p.grad)
            p.grad /= self.world

    def broadcast_flag(self, value: bool) -> bool:
        """Process 0's ``value`` on every process (e.g. the early-stop decision)."""
        if not self.active:
            return value
        import torch.distributed as td

        t = torch.tensor([1.0 if value else 0.0])
        td.broadcast(t, 0)
        return bool(t.item())

    def rank_state_name(self) -> str:
        """The checkpoint file of this process's own sampler, streams and RNG states."""
        return f"last.rank{self.rank}.safetensors"


def extract_rank_state(state: dict[str, Any]) -> dict[str, Any]:
    """The per-process part of a checkpoint state (sampler and batch streams)."""
    return {k: state[k] for k in ("sampler", "streams") if k in state}


__all__ = ["Dist", "extract_rank_state"]
