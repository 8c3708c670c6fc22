"""Linear-chain CRF head over BIO tags (one head per corpus, Akdemir & Shibuya).

Tags are ``O`` plus ``B-X``/``I-X`` (IOB2, default) or ``B-X``/``I-X``/``E-X``/``S-X`` (IOBES) for
every label ``X`` of the head.  Transitions that the scheme forbids (``O → I-X``, ``B-X → I-Y``,
start → ``I-X``, ...) get a score of ``-1e4`` in training and decoding, so decoded sequences are
always well formed.  The forward algorithm, Viterbi and forward-backward are vectorised over the
batch and loop over time only; each sentence stops at its own length.  The loss is the negative
log-likelihood averaged over the sentences of the batch.  A predicted span's score is the mean,
over its words, of the marginal probability of the decoded tag (``span_scores="marginal"``).

Gold spans a flat tag sequence cannot hold (spans overlapping a longer or earlier one) and spans
with a label the head does not know are left out of the target and counted in ``counters``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field
from torch import nn

from mosaicner.errors import ConfigError
from mosaicner.heads.base import (
    GoldSpans,
    Head,
    HeadOptions,
    PredSpan,
    WordFeatures,
    parse_options,
    register_head,
)

NEG = -1e4
Scheme = Literal["iob2", "iobes"]


class TagSet:
    """Tag inventory of a label set, with the scheme's allowed transitions (integer tags)."""

    def __init__(self, labels: Sequence[str], scheme: str = "iob2") -> None:
        if scheme not in ("iob2", "iobes"):
            raise ConfigError(f"unknown tag scheme {scheme!r}", expected="iob2 | iobes")
        if len(set(labels)) != len(labels):
            raise ConfigError(f"duplicate labels in {list(labels)}")
        self.labels = list(labels)
        self.scheme = scheme
        self.prefixes = "BI" if scheme == "iob2" else "BIES"
        self.tags = ["O"] + [f"{p}-{lab}" for lab in self.labels for p in self.prefixes]
        self.index = {t: i for i, t in enumerate(self.tags)}
        n = len(self.tags)
        # per tag: prefix letter and label index (-1 for O)
        self.prefix = ["O"] + [p for _ in self.labels for p in self.prefixes]
        self.label_of = [-1] + [k for k in range(len(self.labels)) for _ in self.prefixes]
        allowed = np.zeros((n, n), dtype=bool)
        for i in range(n):
            for j in range(n):
                allowed[i, j] = self._allowed(i, j)
        self.allowed = allowed
        self.start_allowed = np.array([self._may_start(j) for j in range(n)], dtype=bool)
        self.end_allowed = np.array([self._may_end(i) for i in range(n)], dtype=bool)

    def __len__(self) -> int:
        return len(self.tags)

    def _inside(self, j: int) -> bool:
        """Tag j continues a span (I- or E-)."""
        return self.prefix[j] in ("I", "E")

    def _open(self, i: int) -> bool:
        """After tag i a span is open and must be continued (IOBES) or may be (IOB2)."""
        return self.prefix[i] in ("B", "I")

    def _allowed(self, i: int, j: int) -> bool:
        if self._inside(j):
            return self._open(i) and self.label_of[i] == self.label_of[j]
        if self.scheme == "iobes":
            return not self._open(i)  # B-/I- must be continued by I-/E- of the same label
        return True

    def _may_start(self, j: int) -> bool:
        return not self._inside(j)

    def _may_end(self, i: int) -> bool:
        return self.scheme == "iob2" or not self._open(i)

    # ---------------------------------------------------------------- spans <-> tags
    def encode(
        self, spans: GoldSpans, length: int, counters: Counter[str] | None = None
    ) -> list[int]:
        """Tag ids for ``length`` words; overlapping/unknown spans are dropped and counted."""
        tags = [0] * length
        label_index = {lab: k for k, lab in enumerate(self.labels)}
        taken = [False] * length
        per = len(self.prefixes)
        for ts, te, label in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
            k = label_index.get(label)
            if k is None:
                if counters is not None:
                    counters["unknown_label_spans"] += 1
                continue
            if not 0 <= ts < te <= length:
                if counters is not None:
                    counters["out_of_range_spans"] += 1
                continue
            if any(taken[ts:te]):
                if counters is not None:
                    counters["overlapping_spans_dropped"] += 1
                continue
            base = 1 + k * per
            for w in range(ts, te):
                taken[w] = True
                tags[w] = base + 1  # I-
            if self.scheme == "iob2":
                tags[ts] = base
            elif te - ts == 1:
                tags[ts] = base + 3  # S-
            else:
                tags[ts] = base
                tags[te - 1] = base + 2  # E-
        return tags

    def decode(self, tags: Sequence[int]) -> list[tuple[int, int, str]]:
        """Spans of a tag-id sequence; ill-formed sequences are read leniently (a dangling
        I-/E- opens a span, an unfinished span ends where it is not continued)."""
        spans: list[tuple[int, int, str]] = []
        start = -1
        label = -1
        for w, t in enumerate(tags):
            p = self.prefix[t]
            k = self.label_of[t]
            if p == "O":
                if start >= 0:
                    spans.append((start, w, self.labels[label]))
                start = -1
            elif p in ("B", "S") or start < 0 or k != label:
                if start >= 0:
                    spans.append((start, w, self.labels[label]))
                start, label = w, k
            if p in ("E", "S"):
                spans.append((start, w + 1, self.labels[label]))
                start = -1
        if start >= 0:
            spans.append((start, len(tags), self.labels[label]))
        return spans


class CRFOptions(HeadOptions):
    """Options of the ``crf`` head (``heads.options.crf`` in a training config)."""

    scheme: Scheme = "iob2"
    # extra dropout on the word vectors (the encoder already applies encoder.dropout)
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)
    span_scores: Literal["marginal", "none"] = "marginal"


@register_head("crf")
class CRFHead(Head):
    """Linear projection + linear-chain CRF with constrained transitions."""

    options_model = CRFOptions

    def __init__(
        self,
        hidden_size: int,
        labels: Sequence[str],
        corpus_labels: Mapping[str, Sequence[str]] | None = None,
        **options: Any,
    ) -> None:
        opts = parse_options(CRFOptions, "crf", options)
        assert isinstance(opts, CRFOptions)
        super().__init__(hidden_size, labels, corpus_labels, **opts.model_dump())
        self.tagset = TagSet(self.labels, opts.scheme)
        self.span_scores = opts.span_scores
        n = len(self.tagset)
        self.dropout = nn.Dropout(opts.dropout)
        self.proj = nn.Linear(hidden_size, n)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start_transitions = nn.Parameter(torch.zeros(n))
        self.end_transitions = nn.Parameter(torch.zeros(n))
        self.register_buffer("allowed", torch.from_numpy(self.tagset.allowed), persistent=False)
        self.register_buffer(
            "start_allowed", torch.from_numpy(self.tagset.start_allowed), persistent=False
        )
        self.register_buffer(
            "end_allowed", torch.from_numpy(self.tagset.end_allowed), persistent=False
        )
        self.counters: Counter[str] = Counter()

    # --------------------------------------------------------------------- scores
    def emissions(self, features: WordFeatures) -> torch.Tensor:
        """Per-word tag scores ``[B, W, T]`` (float32)."""
        return self.proj(self.dropout(features.words)).float()

    def constrained(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(transitions [T, T], start [T], end [T]) with forbidden moves at -1e4."""
        allowed: torch.Tensor = self.allowed  # type: ignore[assignment]
        start_ok: torch.Tensor = self.start_allowed  # type: ignore[assignment]
        end_ok: torch.Tensor = self.end_allowed  # type: ignore[assignment]
        trans = self.transitions.masked_fill(~allowed, NEG)
        start = self.start_transitions.masked_fill(~start_ok, NEG)
        end = self.end_transitions.masked_fill(~end_ok, NEG)
        return trans, start, end

    def gold_tags(self, gold: Sequence[GoldSpans], width: int) -> torch.Tensor:
        """Gold spans as tag ids ``[B, width]`` in the head's scheme."""
        rows = [self.tagset.encode(spans, width, self.counters) for spans in gold]
        return torch.tensor(rows, dtype=torch.long).reshape(len(gold), width)

    # --------------------------------------------------------------------- training
    def loss(
        self, features: WordFeatures, gold: Sequence[GoldSpans], corpora: Sequence[str]
    ) -> torch.Tensor:
        """Mean negative log-likelihood of the gold tag paths under the constrained CRF."""
        em = self.emissions(features)
        mask = features.mask
        lengths = mask.sum(1)
        tags = self.gold_tags(gold, em.shape[1]).to(em.device)
        nonempty = lengths > 0
        if not bool(nonempty.any()):
            return em.sum() * 0.0
        trans, start, end = self.constrained()
        log_z = crf_log_partition(em, mask, trans, start, end)
        score = crf_path_score(em, mask, tags, trans, start, end)
        nll = (log_z - score)[nonempty]
        return nll.mean()

    # --------------------------------------------------------------------- decoding
    def decode(
        self, features: WordFeatures, corpora: Sequence[str] | None = None
    ) -> list[list[PredSpan]]:
        """Viterbi spans per sentence, scored by span marginals unless ``span_scores`` is none."""
        em = self.emissions(features)
        mask = features.mask
        trans, start, end = self.constrained()
        best = crf_viterbi(em, mask, trans, start, end).cpu().numpy()
        probs: np.ndarray | None = None
        if self.span_scores == "marginal" and em.shape[1] > 0:
            marg = crf_marginals(em, mask, trans, start, end)
            chosen = marg.gather(2, torch.from_numpy(best).to(em.device).unsqueeze(2))
            probs = chosen.squeeze(2).cpu().numpy()
        lengths = mask.sum(1).tolist()
        out: list[list[PredSpan]] = []
        for i, n in enumerate(lengths):
            spans = self.tagset.decode(best[i, :n].tolist())
            if probs is None:
                out.append([(s, e, lab, 1.0) for s, e, lab in spans])
            else:
                row = probs[i]
                out.append([(s, e, lab, float(row[s:e].mean())) for s, e, lab in spans])
        return out


# ------------------------------------------------------------------------- algorithms
def crf_log_partition(
    em: torch.Tensor,
    mask: torch.Tensor,
    trans: torch.Tensor,
    start: torch.Tensor,
    end: torch.Tensor,
) -> torch.Tensor:
    """log Z per sentence ([B]); ``em`` [B, W, T], ``mask`` [B, W] (a prefix of True)."""
    batch, width, _ = em.shape
    if width == 0:
        return em.new_zeros(batch)
    alpha = start.unsqueeze(0) + em[:, 0]
    for t in range(1, width):
        nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
        alpha = torch.where(mask[:, t : t + 1], nxt, alpha)
    return torch.logsumexp(alpha + end.unsqueeze(0), dim=1)


def crf_path_score(
    em: torch.Tensor,
    mask: torch.Tensor,
    tags: torch.Tensor,
    trans: torch.Tensor,
    start: torch.Tensor,
    end: torch.Tensor,
) -> torch.Tensor:
    """Unnormalised score of the tag sequences ``tags`` [B, W] ([B])."""
    batch, width, _ = em.shape
    if width == 0:
        return em.new_zeros(batch)
    maskf = mask.to(em.dtype)
    emit = em.gather(2, tags.unsqueeze(2)).squeeze(2)
    score = (emit * maskf).sum(1) + start[tags[:, 0]]
    if width > 1:
        score = score + (trans[tags[:, :-1], tags[:, 1:]] * maskf[:, 1:]).sum(1)
    last = (mask.sum(1) - 1).clamp(min=0)
    last_tags = tags.gather(1, last.unsqueeze(1)).squeeze(1)
    return score + end[last_tags]


def crf_viterbi(
    em: torch.Tensor,
    mask: torch.Tensor,
    trans: torch.Tensor,
    start: torch.Tensor,
    end: torch.Tensor,
) -> torch.Tensor:
    """Best tag sequence per sentence ([B, W]; positions past a sentence's end are filler)."""
    batch, width, n = em.shape
    if width == 0:
        return torch.zeros(batch, 0, dtype=torch.long, device=em.device)
    score = start.unsqueeze(0) + em[:, 0]
    identity = torch.arange(n, device=em.device).unsqueeze(0).expand(batch, n)
    history: list[torch.Tensor] = []
    for t in range(1, width):
        best, idx = (score.unsqueeze(2) + trans.unsqueeze(0)).max(dim=1)
        step = mask[:, t : t + 1]
        score = torch.where(step, best + em[:, t], score)
        history.append(torch.where(step, idx, identity))
    last = (score + end.unsqueeze(0)).argmax(dim=1)
    if not history:
        return last.unsqueeze(1)
    back = torch.stack(history).cpu().numpy()  # [W-1, B, T]
    path = np.empty((batch, width), dtype=np.int64)
    cur = last.cpu().numpy()
    rows = np.arange(batch)
    path[:, width - 1] = cur
    for t in range(width - 2, -1, -1):
        cur = back[t, rows, cur]
        path[:, t] = cur
    return torch.from_numpy(path).to(em.device)


def crf_marginals(
    em: torch.Tensor,
    mask: torch.Tensor,
    trans: torch.Tensor,
    start: torch.Tensor,
    end: torch.Tensor,
) -> torch.Tensor:
    """Posterior tag probabilities per word ([B, W, T]) by forward-backward."""
    batch, width, _ = em.shape
    alphas = [start.unsqueeze(0) + em[:, 0]]
    for t in range(1, width):
        prev = alphas[-1]
        nxt = torch.logsumexp(prev.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
        alphas.append(torch.where(mask[:, t : t + 1], nxt, prev))
    end_b = end.unsqueeze(0).expand(batch, -1)
    betas = [end_b]
    for t in range(width - 2, -1, -1):
        after = (em[:, t + 1] + betas[-1]).unsqueeze(1)  # [B, 1, T]
        nb = torch.logsumexp(trans.unsqueeze(0) + after, dim=2)
        betas.append(torch.where(mask[:, t + 1 : t + 2], nb, end_b))
    betas.reverse()
    alpha = torch.stack(alphas, dim=1)
    beta = torch.stack(betas, dim=1)
    log_z = torch.logsumexp(alphas[-1] + end_b, dim=1)
    return torch.exp(alpha + beta - log_z[:, None, None])


__all__ = [
    "NEG",
    "CRFHead",
    "CRFOptions",
    "TagSet",
    "crf_log_partition",
    "crf_marginals",
    "crf_path_score",
    "crf_viterbi",
]
