"""The optimizer and learning-rate schedule of a training phase.

AdamW with two learning rates (encoder and heads), weight decay off for biases and norms, warm-up
then linear decay (or constant).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from mosaicner.training.config import TrainConfig


def param_groups(model: Any, cfg: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: encoder (decayed / not decayed) and heads (decayed / not decayed)."""
    opt = cfg.optimizer
    groups: dict[tuple[str, bool], list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        part = "encoder" if name.startswith("encoder.") else "heads"
        no_decay = p.ndim < 2 or "norm" in name.lower() or name.endswith(".bias")
        groups.setdefault((part, no_decay), []).append(p)
    out = []
    for (part, no_decay), params in sorted(groups.items()):
        out.append(
            {
                "params": params,
                "lr": opt.encoder_lr if part == "encoder" else opt.head_lr,
                "weight_decay": 0.0 if no_decay else opt.weight_decay,
                "name": f"{part}{'' if not no_decay else '/no_decay'}",
            }
        )
    return out


def make_optimizer(groups: list[dict[str, Any]], eps: float) -> torch.optim.Optimizer:
    """AdamW, fused (one kernel over all tensors) where this torch build supports it on CPU."""
    try:
        return torch.optim.AdamW(groups, eps=eps, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(groups, eps=eps, foreach=True)


def lr_lambda(total_steps: int, warmup_ratio: float, schedule: str) -> Callable[[int], float]:
    """Learning-rate factor per step: linear warm-up, then linear decay to 0 (or constant)."""
    warmup = round(total_steps * warmup_ratio)

    def f(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        if schedule == "constant":
            return 1.0
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return f


def make_optimizer_and_schedule(
    model: Any, cfg: TrainConfig, steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """A fresh optimizer over ``model``'s trainable parameters and its schedule over ``steps``."""
    optimizer = make_optimizer(param_groups(model, cfg), cfg.optimizer.eps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda(steps, cfg.optimizer.warmup_ratio, cfg.optimizer.schedule)
    )
    return optimizer, scheduler


__all__ = ["lr_lambda", "make_optimizer", "make_optimizer_and_schedule", "param_groups"]
