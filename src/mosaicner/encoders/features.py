"""What the shared encoder hands to the heads: word vectors for a batch of sentences."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class WordFeatures:
    """Encoder output pooled to words, for one batch of sentences.

    words: [B, W, H] word vectors (zeros at padding); mask: [B, W] bool, True on real words;
    cls / sep: [B, H] the encoder's sentence-start and sentence-end vectors.
    """

    words: torch.Tensor
    mask: torch.Tensor
    cls: torch.Tensor
    sep: torch.Tensor

    @property
    def lengths(self) -> torch.Tensor:
        """Number of real words per sentence."""
        return self.mask.sum(dim=1)


__all__ = ["WordFeatures"]
