"""Model building for a training run: the shared encoder, the heads and their routes.

Every corpus gets its own head of the configured type, unless it names a shared head
(``heads.shared``), which then serves all its member corpora with the union of their labels.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from mosaicner.data.context import example_contexts
from mosaicner.errors import ModelError
from mosaicner.training.config import TrainConfig
from mosaicner.training.data import PreparedCorpus


def build_model(cfg: TrainConfig, corpora: Sequence[PreparedCorpus]) -> Any:
    """The shared encoder and one head per corpus (or the shared heads named in the config)."""
    from mosaicner.encoders import TransformerEncoder
    from mosaicner.heads import build_head
    from mosaicner.models import MultiTaskModel

    encoder = TransformerEncoder.from_config(cfg.encoder)
    hidden = int(encoder.hidden_size)
    specs = {c.key: c for c in cfg.corpora}
    heads: dict[str, Any] = {}
    routes: dict[str, str] = {}
    shared_members: dict[str, list[PreparedCorpus]] = {}
    for pc in corpora:
        spec = specs[pc.name]
        if spec.shared_head is not None:
            shared_members.setdefault(spec.shared_head, []).append(pc)
            routes[pc.name] = spec.shared_head
            continue
        options = cfg.head_options(spec.head)
        heads[pc.name] = build_head(spec.head, hidden, pc.labels, {pc.name: pc.labels}, **options)
        routes[pc.name] = pc.name
    for head_name, members in shared_members.items():
        shared = cfg.heads.shared[head_name]
        labels = sorted({t for pc in members for t in pc.labels})
        options = cfg.head_options(shared.type, shared.options)
        heads[head_name] = build_head(
            shared.type, hidden, labels, {pc.name: pc.labels for pc in members}, **options
        )
    if cfg.mode == "transfer-b":
        assert cfg.transfer.init_from is not None
        load_encoder_weights(encoder, cfg.transfer.init_from)
    return MultiTaskModel(encoder, heads, routes)


def default_device(cfg: TrainConfig) -> torch.device:
    """``trainer.device``, else this process's GPU when there is one, else the CPU."""
    if cfg.trainer.device:
        return torch.device(cfg.trainer.device)
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device("cpu")


def model_dir_of(path: str | Path) -> Path:
    """Accept a model folder or a run folder holding ``model/``."""
    p = Path(path)
    if (p / "model").is_dir() and not (p / "config.json").is_file():
        return p / "model"
    return p


def load_encoder_weights(encoder: Any, source: str | Path) -> None:
    """Copy the encoder weights of an earlier model (transfer-b); heads are not taken."""
    from mosaicner.models import load_model

    src = load_model(model_dir_of(source))
    missing, unexpected = encoder.load_state_dict(src.encoder.state_dict(), strict=False)
    if missing:
        raise ModelError(
            f"the encoder in {source} does not match the configured encoder "
            f"({len(missing)} missing weights, e.g. {missing[0]})",
            hint="use the same encoder.name as the run you start from",
        )
    del unexpected


def freeze_word_embeddings(model: Any) -> int:
    """Fix the encoder's input word embeddings; returns the number of frozen parameters."""
    frozen = 0
    transformer = getattr(model.encoder, "transformer", None)
    get = getattr(transformer, "get_input_embeddings", None)
    if get is not None:
        emb = get()
        for p in emb.parameters():
            p.requires_grad_(False)
            frozen += p.numel()
    return frozen


def subword_lengths(model: Any, data: Mapping[str, PreparedCorpus]) -> dict[str, list[int]]:
    """Each training sentence tokenised once: its padded subword length (the batch budget)."""
    return {
        name: [
            enc.padded_length(model.encoder.num_special)
            for enc in model.encoder.encode_batch(
                [ex.words for ex in pc.examples("train")],
                contexts=example_contexts(pc.examples("train")),
            )
        ]
        for name, pc in data.items()
    }


__all__ = [
    "build_model",
    "default_device",
    "freeze_word_embeddings",
    "load_encoder_weights",
    "model_dir_of",
    "subword_lengths",
]
