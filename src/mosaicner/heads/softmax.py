"""Per-word softmax head: a linear layer over BIO tags, cross-entropy, BIO repair at decode.

A cheaper baseline than the CRF.  The loss is the per-word cross-entropy summed over each
sentence and averaged over sentences (the same scale as the CRF's per-sentence NLL).  Decoding
takes the arg-max tag of every word and reads the sequence leniently (a dangling ``I-X`` opens a
span); a span's score is the mean probability of its words' tags.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import nn

from mosaicner.heads.base import (
    GoldSpans,
    Head,
    HeadOptions,
    PredSpan,
    WordFeatures,
    parse_options,
    register_head,
)
from mosaicner.heads.crf import TagSet


class SoftmaxOptions(HeadOptions):
    """Options of the ``softmax`` head (``heads.options.softmax`` in a training config)."""

    scheme: Literal["iob2", "iobes"] = "iob2"
    # extra dropout on the word vectors (the encoder already applies encoder.dropout)
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)


@register_head("softmax")
class SoftmaxHead(Head):
    """Linear projection to tags + cross-entropy."""

    options_model = SoftmaxOptions

    def __init__(
        self,
        hidden_size: int,
        labels: Sequence[str],
        corpus_labels: Mapping[str, Sequence[str]] | None = None,
        **options: Any,
    ) -> None:
        opts = parse_options(SoftmaxOptions, "softmax", options)
        assert isinstance(opts, SoftmaxOptions)
        super().__init__(hidden_size, labels, corpus_labels, **opts.model_dump())
        self.tagset = TagSet(self.labels, opts.scheme)
        self.dropout = nn.Dropout(opts.dropout)
        self.proj = nn.Linear(hidden_size, len(self.tagset))
        self.counters: Counter[str] = Counter()

    def logits(self, features: WordFeatures) -> torch.Tensor:
        """Per-word tag scores ``[B, W, T]`` (float32)."""
        return self.proj(self.dropout(features.words)).float()

    def loss(
        self, features: WordFeatures, gold: Sequence[GoldSpans], corpora: Sequence[str]
    ) -> torch.Tensor:
        """Mean cross-entropy of the gold tags over real words."""
        logits = self.logits(features)
        batch, width, n = logits.shape
        rows = [self.tagset.encode(spans, width, self.counters) for spans in gold]
        tags = torch.tensor(rows, dtype=torch.long, device=logits.device).reshape(batch, width)
        tags = tags.masked_fill(~features.mask, -100)
        nonempty = int((features.mask.sum(1) > 0).sum())
        if nonempty == 0:
            return logits.sum() * 0.0
        ce = F.cross_entropy(logits.reshape(-1, n), tags.reshape(-1), reduction="sum")
        return ce / nonempty

    def decode(
        self, features: WordFeatures, corpora: Sequence[str] | None = None
    ) -> list[list[PredSpan]]:
        """Arg-max tags per word, decoded leniently into spans (repairs counted)."""
        probs = self.logits(features).softmax(-1)
        best_p, best = probs.max(-1)
        best_np = best.cpu().numpy()
        prob_np = best_p.cpu().numpy()
        out: list[list[PredSpan]] = []
        for i, n in enumerate(features.mask.sum(1).tolist()):
            spans = self.tagset.decode(best_np[i, :n].tolist())
            row = prob_np[i]
            out.append([(s, e, lab, float(row[s:e].mean())) for s, e, lab in spans])
        return out


__all__ = ["SoftmaxHead", "SoftmaxOptions"]
