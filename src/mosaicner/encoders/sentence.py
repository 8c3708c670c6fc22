"""Sentence vectors under a Hugging Face encoder, for the ``embedding`` transferability measure.

:mod:`mosaicner.analysis` is torch-free: it chooses the sentences, averages and caches, and
calls an embedder like :class:`SentenceEmbedder` passed in from above.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from mosaicner.encoders.config import resolve_encoder_name

Loader = Callable[[], tuple[Any, Any]]


class SentenceEmbedder:
    """L2-normalised, attention-masked mean of the last hidden state, one vector per sentence.

    The encoder (``AutoModel`` + ``AutoTokenizer`` of ``encoder``, or what ``loader`` returns as
    ``(model, tokenizer)``) is loaded on the first call only, so nothing loads when every
    vector is cached.  Sentences are embedded in the given order, ``batch_size`` at a time,
    truncated at ``max_length`` subwords.
    """

    def __init__(
        self,
        encoder: str,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        loader: Loader | None = None,
    ) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.max_length = max_length
        self._loader = loader
        self.loaded: tuple[Any, Any] | None = None

    def _load(self) -> tuple[Any, Any]:
        if self.loaded is None:
            if self._loader is not None:
                self.loaded = self._loader()
            else:
                from transformers import AutoModel, AutoTokenizer

                path = resolve_encoder_name(self.encoder)
                self.loaded = (AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path))
        return self.loaded

    def __call__(self, sentences: Sequence[Sequence[str]]) -> NDArray[np.float64]:
        """``[len(sentences), hidden]`` float64 vectors."""
        model, tokenizer = self._load()
        model.eval()
        vectors: list[NDArray[np.float64]] = []
        with torch.inference_mode():
            for lo in range(0, len(sentences), self.batch_size):
                batch = [list(s) for s in sentences[lo : lo + self.batch_size]]
                enc = tokenizer(
                    batch,
                    is_split_into_words=True,
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                )
                out = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
                pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                vectors.append(pooled.double().cpu().numpy())
        if not vectors:
            return np.zeros((0, 0))
        return np.concatenate(vectors)


__all__ = ["SentenceEmbedder"]
