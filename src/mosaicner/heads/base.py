"""The contract between the shared encoder and the decoding heads (torch layer).

A head turns word vectors into spans for the corpora routed to it.  The CRF and softmax heads
serve one corpus each (Akdemir et al.); the SRU transition head serves many corpora at once with
one action space (Ruano et al.).  Heads are registered by name and built from plain options, so
a model directory can rebuild them from ``config.json``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import torch
from torch import nn

from mosaicner.encoders.features import WordFeatures
from mosaicner.errors import UnknownComponentError

# (token_start, token_end, label) in sentence-local word offsets, half-open.
GoldSpans = Sequence[tuple[int, int, str]]
# (token_start, token_end, label, score)
PredSpan = tuple[int, int, str, float]


class Head(nn.Module, ABC):
    """A decoding head.  Subclasses set ``kind`` and register with :func:`register_head`.

    ``labels`` is the head's label set (entity types, possibly corpus-prefixed);
    ``corpus_labels`` maps each corpus routed to this head to the labels it annotates (used by
    heads that share one label space across corpora, and by evaluation).
    """

    kind: ClassVar[str] = ""

    def __init__(
        self,
        hidden_size: int,
        labels: Sequence[str],
        corpus_labels: Mapping[str, Sequence[str]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.labels = list(labels)
        self.corpus_labels = {k: list(v) for k, v in (corpus_labels or {}).items()}
        self.options = dict(options)

    @abstractmethod
    def loss(
        self, features: WordFeatures, gold: Sequence[GoldSpans], corpora: Sequence[str]
    ) -> torch.Tensor:
        """Scalar training loss for the batch; ``corpora[i]`` names sentence i's corpus."""

    @abstractmethod
    def decode(
        self, features: WordFeatures, corpora: Sequence[str] | None = None
    ) -> list[list[PredSpan]]:
        """Predicted spans per sentence (call under ``torch.inference_mode``)."""

    def export_config(self) -> dict[str, Any]:
        """Everything needed to rebuild this head (JSON-serialisable)."""
        return {
            "type": self.kind,
            "labels": self.labels,
            "corpus_labels": self.corpus_labels,
            "options": self.options,
        }


HEADS: dict[str, type[Head]] = {}
H = TypeVar("H", bound=type[Head])


def register_head(kind: str) -> Callable[[H], H]:
    def deco(cls: H) -> H:
        cls.kind = kind
        HEADS[kind] = cls
        return cls

    return deco


def build_head(
    kind: str,
    hidden_size: int,
    labels: Sequence[str],
    corpus_labels: Mapping[str, Sequence[str]] | None = None,
    **options: Any,
) -> Head:
    if kind not in HEADS:
        raise UnknownComponentError.for_name("head type", kind, HEADS)
    return HEADS[kind](hidden_size, labels, corpus_labels, **options)


__all__ = ["HEADS", "GoldSpans", "Head", "PredSpan", "WordFeatures", "build_head", "register_head"]
