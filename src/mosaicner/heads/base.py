"""The contract between the shared encoder and the decoding heads (torch layer).

A head turns word vectors into spans for the corpora routed to it.  The CRF and softmax heads
serve one corpus each (Akdemir et al.); the SRU transition head serves many corpora at once with
one action space (Ruano et al.).  Heads are registered by name and built from plain options, so
a model directory can rebuild them from ``config.json``.
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import torch
from pydantic import BaseModel, ConfigDict, ValidationError
from torch import nn

from mosaicner.encoders.features import WordFeatures
from mosaicner.errors import ConfigError, UnknownComponentError

# (token_start, token_end, label) in sentence-local word offsets, half-open.
GoldSpans = Sequence[tuple[int, int, str]]
# (token_start, token_end, label, score)
PredSpan = tuple[int, int, str, float]


class HeadOptions(BaseModel):
    """Options of a head type; each head declares its own subclass (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")


def parse_options(
    model: type[BaseModel], kind: str, options: Mapping[str, Any], where: str = ""
) -> BaseModel:
    """Validate ``options`` against a head's options model; a :class:`ConfigError` names the
    offending key (prefixed with ``where``, e.g. ``heads.options.sru``)."""
    try:
        return model(**options)
    except ValidationError as exc:
        prefix = f"{where}." if where else ""
        problems = "; ".join(
            f"{prefix}{'.'.join(str(p) for p in e['loc']) or '(options)'}: "
            + ("unknown option" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        )
        unknown = [str(e["loc"][-1]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        close = [m for u in unknown for m in difflib.get_close_matches(u, model.model_fields, 1)]
        raise ConfigError(
            f"bad options for head type {kind!r}: {problems}",
            expected="options among " + ", ".join(model.model_fields),
            hint=f"did you mean {close[0]!r}?" if close else None,
        ) from None


class Head(nn.Module, ABC):
    """A decoding head.  Subclasses set ``kind`` and register with :func:`register_head`.

    ``labels`` is the head's label set (entity types, possibly corpus-prefixed);
    ``corpus_labels`` maps each corpus routed to this head to the labels it annotates (used by
    heads that share one label space across corpora, and by evaluation).
    """

    kind: ClassVar[str] = ""
    #: whether the head can output (and learn) nested spans; a flat head (CRF, softmax) learns
    #: the outermost view of nested gold, and training reports how many spans that drops
    nested: ClassVar[bool] = False
    #: the pydantic model of this head type's options (validated when a config is loaded)
    options_model: ClassVar[type[BaseModel]] = HeadOptions

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
    """Class decorator: make a head type buildable by name (``build_head(kind, ...)``)."""

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
    """A new head of type ``kind`` (see :data:`HEADS`) with validated ``options``."""
    if kind not in HEADS:
        raise UnknownComponentError.for_name("head type", kind, HEADS)
    return HEADS[kind](hidden_size, labels, corpus_labels, **options)


def check_head_options(kind: str, options: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """Check that ``kind`` is a registered head type and ``options`` are valid for it, before
    anything is built; returns the options with defaults filled in."""
    if kind not in HEADS:
        raise UnknownComponentError.for_name("head type", kind, HEADS)
    return parse_options(HEADS[kind].options_model, kind, options, where).model_dump()


__all__ = [
    "HEADS",
    "GoldSpans",
    "Head",
    "HeadOptions",
    "PredSpan",
    "WordFeatures",
    "build_head",
    "check_head_options",
    "parse_options",
    "register_head",
]
