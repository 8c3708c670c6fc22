"""SRU-NER: a slot-memory transition decoder shared by many corpora (Ruano et al., BioNLP 2025).

The head reads a sentence left to right with a pointer over slots ``[CLS, w1 .. wn, SEP]``.  At
each step an MLP over ``[word under the pointer ; attention read-out of the slots]`` gives
independent sigmoid scores over the actions ``EOA, SHIFT, TRANSITION(T), REDUCE(T)``
(:mod:`mosaicner.transitions`).  The recurrent state is the slot memory: it starts as the word
vectors (plus a learned start-of-actions vector in the CLS slot), and every step adds a soft
mixture of action embeddings -- the softmax over all actions, kept only for the actions at least
as likely as ``SHIFT`` (not renormalised) -- into the slot under the pointer, before the pointer
moves.  The read-out attends over the slots with ``k * A`` learned latent queries (initialised
at zero, with dropout), a diagonal bilinear score, relative position embeddings (``+-H``
buckets, out-of-context, CLS and padding buckets) added to the scoring input only, a max over
queries and a softmax over slots; it returns ``sum_j alpha_j (g * slot_j)``.

Training follows the gold pointer (only ``SHIFT``/``EOA`` are teacher-forced; the slot writes
always use the model's own soft prediction).  The loss is a per-action sigmoid BCE averaged over
actions and over the valid (sentence, step) rows of the batch.  With several corpora, **dynamic
loss adjustment**: the targets of ``TRANSITION``/``REDUCE`` of types the sentence's corpus does
not annotate are the model's own detached probabilities (``min(1, lambda * p)``, exactly zero
gradient for ``lambda = 1``; zero on ``EOA`` rows), and a gold ``SHIFT`` is deferred by one step
when such a foreign action outranks it.  ``dynamic_loss: false`` is the naive merge (unannotated
types are negatives).

Label space: ``separate`` (default) gives every corpus its own actions ``CORPUS$Type``;
``unified`` shares one action per type name across corpora.  ``decode`` returns the ``joined``
view by default (prefixes stripped, duplicates merged, best score kept); with
``view: separate`` a sentence of corpus ``c`` gets its own types bare and other corpora's types
prefixed (which scoring then ignores as "global predictions").  :meth:`SRUHead.decode_full`
returns the raw action labels for :mod:`mosaicner.evaluation.views`.

Implementation notes (deliberate differences from the released code, which this module does not
copy): batched over sentences with one Python loop over time steps only; the decoder width is
configurable (``decoder_size``; word vectors are projected when it differs from the encoder's);
latent-query and position dropout masks are drawn once per batch rather than per step, which
lets the position-score table be computed once per batch; post-EOA padding rows are not part of
the loss; the deferred ``SHIFT`` target is detached; mentions may end at the last word; a
``SHIFT`` predicted on the SEP slot ends decoding of that sentence.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import nn

from mosaicner.data.batching import EVAL_MAX_WORDS
from mosaicner.data.context import context_keys, context_lengths, example_contexts
from mosaicner.errors import UnknownLabelError
from mosaicner.heads.base import (
    GoldSpans,
    Head,
    HeadOptions,
    PredSpan,
    WordFeatures,
    parse_options,
    register_head,
)
from mosaicner.transitions import ActionVocab, DecodeStats, EncodeReport, decode_step_scores
from mosaicner.transitions import spans_to_timesteps as _spans_to_timesteps

_log = logging.getLogger(__name__)

EOA_ID = ActionVocab.EOA_ID
SHIFT_ID = ActionVocab.SHIFT_ID
_NEG = -1e9


class SRUOptions(HeadOptions):
    """Options of the ``sru`` head (``heads.options.sru`` in a training config)."""

    label_space: Literal["separate", "unified"] = Field(
        default="separate", description="corpus-prefixed actions (CORPUS$Type) or shared types"
    )
    separator: str = "$"
    view: Literal["joined", "separate"] = Field(
        default="joined", description="label view returned by decode()"
    )
    decoder_size: int | None = Field(
        default=None, ge=8, description="decoder width D (None: the encoder's hidden size)"
    )
    queries_per_action: int = Field(default=2, ge=1, description="k: latent queries = k * A")
    half_context: int = Field(default=150, ge=1, description="H: relative positions +-H")
    token_multiplier: float = Field(default=1.0, description="tau: scale of slot content")
    train_token_multiplier: bool = False
    mlp_dropout: float = Field(default=0.1, ge=0.0, lt=1.0)
    position_dropout: float = Field(default=0.2, ge=0.0, lt=1.0)
    query_dropout: float = Field(default=0.2, ge=0.0, lt=1.0)
    pointer_reads: Literal["word", "slot"] = Field(
        default="word",
        description="feature under the pointer: the encoder's word vector (reference) or the "
        "slot, i.e. the word vector plus the actions already written at this word",
    )
    action_embed_std: float = Field(
        default=1.0,
        gt=0.0,
        description="std of the action embeddings at init (1 = nn.Embedding default, as in the "
        "reference); smaller keeps the writes on the scale of small encoders' word vectors",
    )
    positive_weight: float = Field(
        default=1.0,
        gt=0.0,
        description="weight of the positive targets of TRANSITION/REDUCE in the BCE (1 = the "
        "reference loss; > 1 speeds up learning the rare mention actions on short budgets)",
    )
    dynamic_loss: bool = Field(
        default=True, description="do not penalise types a sentence's corpus does not annotate"
    )
    foreign_coeff: float = Field(default=1.0, ge=0.0, description="lambda of the soft targets")
    threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    max_step_factor: float = Field(default=1.5, gt=0.0, description="decode cap x (words + 2)")


@dataclass
class SRUTrace:
    """What one training forward did (for tests and diagnostics)."""

    logits: list[torch.Tensor] = field(default_factory=list)
    deferred: int = 0
    deferred_per_step: list[torch.Tensor] = field(default_factory=list)
    rows: int = 0
    steps: int = 0


@register_head("sru")
class SRUHead(Head):
    """Shared transition decoder over many corpora (one action space, one MLP)."""

    options_model = SRUOptions
    nested = True

    def __init__(
        self,
        hidden_size: int,
        labels: Sequence[str],
        corpus_labels: Mapping[str, Sequence[str]] | None = None,
        **options: Any,
    ) -> None:
        opts = parse_options(SRUOptions, "sru", options)
        assert isinstance(opts, SRUOptions)
        super().__init__(hidden_size, labels, corpus_labels, **opts.model_dump())
        self.opts = opts
        self.sep = opts.separator
        self.separate = opts.label_space == "separate" and bool(self.corpus_labels)
        if self.separate:
            action_labels = [
                f"{c}{self.sep}{t}"
                for c in sorted(self.corpus_labels)
                for t in sorted(set(self.corpus_labels[c]))
            ]
        else:
            pool = set(self.labels)
            for types in self.corpus_labels.values():
                pool.update(types)
            action_labels = sorted(pool)
        self.vocab = ActionVocab(action_labels)
        n_actions = len(self.vocab)
        self.corpus_ids = {c: i + 1 for i, c in enumerate(sorted(self.corpus_labels))}
        # foreign[c_id, a] = 1 for TRANSITION/REDUCE of types corpus c does not annotate;
        # row 0 (unknown corpus) has no foreign actions.
        foreign = torch.zeros(len(self.corpus_ids) + 1, n_actions, dtype=torch.bool)
        for c, cid in self.corpus_ids.items():
            own = self._own_labels(c)
            for k, lab in enumerate(action_labels):
                if lab not in own:
                    foreign[cid, 2 + 2 * k] = True
                    foreign[cid, 3 + 2 * k] = True
        self.register_buffer("foreign_table", foreign, persistent=False)

        d = opts.decoder_size or hidden_size
        self.d = d
        self.proj: nn.Module = nn.Linear(hidden_size, d) if d != hidden_size else nn.Identity()
        hc = opts.half_context
        self.half_context = hc
        self.action_embed = nn.Embedding(n_actions, d)  # N(0, 1) init
        if opts.action_embed_std != 1.0:
            nn.init.normal_(self.action_embed.weight, std=opts.action_embed_std)
        self.soa = nn.Parameter(torch.zeros(d))
        self.queries = nn.Parameter(torch.zeros(opts.queries_per_action * n_actions, d))
        self.score_diag = nn.Parameter(torch.ones(d))
        self.read_diag = nn.Parameter(torch.ones(d))
        self.positions = nn.Embedding(2 * hc + 4, d)
        tau = torch.tensor(float(opts.token_multiplier))
        if opts.train_token_multiplier:
            self.tau: torch.Tensor = nn.Parameter(tau)
        else:
            self.register_buffer("tau", tau)
        self.mlp = nn.Sequential(
            nn.Dropout(opts.mlp_dropout),
            nn.Linear(2 * d, 2 * d),
            nn.Tanh(),
            nn.Linear(2 * d, n_actions),
        )
        self.query_dropout = nn.Dropout(opts.query_dropout)
        self.position_dropout = nn.Dropout(opts.position_dropout)
        self.counters: Counter[str] = Counter()
        self.read_word = opts.pointer_reads == "word"

    # ------------------------------------------------------------------ label space
    def _own_labels(self, corpus: str) -> set[str]:
        types = self.corpus_labels.get(corpus, [])
        if self.separate:
            return {f"{corpus}{self.sep}{t}" for t in types}
        return set(types) if corpus in self.corpus_labels else set(self.vocab.labels)

    def action_label(self, corpus: str, label: str) -> str:
        """The action label of gold type ``label`` of a sentence from ``corpus``."""
        name = f"{corpus}{self.sep}{label}" if self.separate else label
        if name not in self.vocab.label_ids:
            raise UnknownLabelError(
                f"type {label!r} of corpus {corpus!r} is not in the SRU head's label space",
                expected="one of " + ", ".join(self.vocab.labels),
                hint="check the corpus's label map and the head's corpus_labels",
            )
        return name

    def bare(self, action_label: str) -> str:
        """The type of an action label without its corpus prefix."""
        if self.separate and self.sep in action_label:
            return action_label.split(self.sep, 1)[1]
        return action_label

    def corpus_of(self, action_label: str) -> str | None:
        """The corpus prefix of an action label (``None`` in the unified label space)."""
        if self.separate and self.sep in action_label:
            return action_label.split(self.sep, 1)[0]
        return None

    def _foreign(self, corpora: Sequence[str] | None, batch: int, device: torch.device) -> Any:
        ids = [0] * batch if corpora is None else [self.corpus_ids.get(c, 0) for c in corpora]
        idx = torch.tensor(ids, dtype=torch.long, device=device)
        table: torch.Tensor = self.foreign_table  # type: ignore[assignment]
        return table.to(device)[idx]

    # ------------------------------------------------------------------ building blocks
    def _slots(self, f: WordFeatures) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Slot inputs x [B, L, D] = [CLS, w1..wn, SEP, pad], slot mask [B, L], lengths [B]."""
        words = f.words
        batch, width, _ = words.shape
        n = f.mask.sum(1).long()
        length = width + 2
        dtype = self.action_embed.weight.dtype
        zeros = words.new_zeros(batch, 1, words.shape[-1])
        x = torch.cat([f.cls[:, None], words * f.mask[..., None].to(words.dtype), zeros], 1)
        ar = torch.arange(length, device=words.device)
        sep_hot = (ar[None] == (n + 1)[:, None]).to(words.dtype)
        x = x + sep_hot[..., None] * f.sep[:, None]
        x = self.proj(x.to(dtype))
        slot_mask = ar[None] <= (n + 1)[:, None]
        x = x * slot_mask[..., None].to(x.dtype)
        return x, slot_mask, n

    def _buckets(self, centre: torch.Tensor, slot_mask: torch.Tensor) -> torch.Tensor:
        hc = self.half_context
        length = slot_mask.shape[1]
        j = torch.arange(length, device=centre.device)[None]
        rel = j - centre[:, None]
        bucket = torch.where(rel.abs() <= hc, rel + hc, torch.full_like(rel, 2 * hc + 1))
        bucket = torch.where(j == 0, torch.full_like(bucket, 2 * hc + 2), bucket)
        return torch.where(slot_mask, bucket, torch.full_like(bucket, 2 * hc + 3))

    def _attend(
        self,
        memory: torch.Tensor,
        mem_scores: torch.Tensor,
        pos_scores: torch.Tensor,
        centre: torch.Tensor,
        slot_mask: torch.Tensor,
    ) -> torch.Tensor:
        bucket = self._buckets(centre, slot_mask)
        scores = (mem_scores + pos_scores[bucket]).amax(-1)
        scores = scores.masked_fill(~slot_mask, _NEG)
        alpha = scores.softmax(-1)
        return self.read_diag * torch.bmm(alpha[:, None], memory).squeeze(1)

    def _write(
        self, logits: torch.Tensor, active: torch.Tensor, pointer: torch.Tensor, length: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Soft action embedding m [B, D] and the one-hot slot mask [B, L] it goes to."""
        probs = torch.sigmoid(logits)
        keep = probs >= probs[:, SHIFT_ID : SHIFT_ID + 1]
        weights = logits.softmax(-1) * keep.to(logits.dtype)
        m = weights @ self.action_embed.weight
        hot = F.one_hot(pointer, length).to(m.dtype) * active[:, None].to(m.dtype)
        return m, hot

    def _prepare(
        self, f: WordFeatures
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, Any]:
        x, slot_mask, n = self._slots(f)
        q = self.query_dropout(self.queries) * self.score_diag  # [kA, D]
        pos_scores = self.position_dropout(self.positions.weight) @ q.T  # [2H+4, kA]
        memory = x.clone()
        memory[:, 0] = memory[:, 0] + self.soa
        mem_scores = self.tau * memory @ q.T  # [B, L, kA]
        return x, slot_mask, n, memory, mem_scores, (q, pos_scores)

    # ------------------------------------------------------------------ training
    def gold_timesteps(
        self, gold: Sequence[GoldSpans], corpora: Sequence[str], lengths: Sequence[int]
    ) -> list[list[frozenset[int]]]:
        """Gold spans as the action sets of each decoder step, per sentence."""
        out = []
        for spans, corpus, n in zip(gold, corpora, lengths, strict=True):
            mapped = [(int(s), int(e), self.action_label(corpus, lab)) for s, e, lab in spans]
            rep = EncodeReport()
            out.append(_spans_to_timesteps(n, mapped, self.vocab, on_crossing="drop", report=rep))
            if rep.crossing_dropped:
                self.counters["crossing spans of one type dropped from targets"] += len(
                    rep.crossing_dropped
                )
                _log.warning(
                    "SRU head: %d crossing span(s) of one type dropped from the targets",
                    len(rep.crossing_dropped),
                )
        return out

    def loss(
        self, features: WordFeatures, gold: Sequence[GoldSpans], corpora: Sequence[str]
    ) -> torch.Tensor:
        """Binary cross-entropy over the gold action sequence (dynamic loss adjustment when
        enabled).
        """
        loss, _ = self.forward_train(features, gold, corpora)
        return loss

    def forward_train(
        self,
        features: WordFeatures,
        gold: Sequence[GoldSpans],
        corpora: Sequence[str],
        trace: bool = False,
    ) -> tuple[torch.Tensor, SRUTrace | None]:
        """Teacher-forced decoding: the loss and, with ``trace``, what the forward pass did."""
        device = features.words.device
        x, slot_mask, n, memory, mem_scores, (q, pos_scores) = self._prepare(features)
        batch, length, _ = x.shape
        lengths = n.tolist()
        steps = self.gold_timesteps(gold, corpora, lengths)
        n_actions = len(self.vocab)
        t_gold = max(len(s) for s in steps)
        idx_b: list[int] = []
        idx_t: list[int] = []
        idx_a: list[int] = []
        kind_rows = [[0] * t_gold for _ in steps]  # 1 SHIFT, 2 EOA
        for b, seq in enumerate(steps):
            for t, ids in enumerate(seq):
                for a in ids:
                    idx_b.append(b)
                    idx_t.append(t)
                    idx_a.append(a)
                if SHIFT_ID in ids:
                    kind_rows[b][t] = 1
                elif EOA_ID in ids:
                    kind_rows[b][t] = 2
        targets = torch.zeros(batch, t_gold, n_actions, device=device)
        targets[idx_b, idx_t, idx_a] = 1.0
        kinds = torch.tensor(kind_rows, dtype=torch.long, device=device)
        t_len = torch.tensor([len(s) for s in steps], device=device)
        foreign = self._foreign(corpora, batch, device)
        if not self.opts.dynamic_loss:
            foreign = torch.zeros_like(foreign)
        any_foreign = bool(foreign.any())
        lam = float(self.opts.foreign_coeff)
        pos_weight: torch.Tensor | None = None
        if self.opts.positive_weight != 1.0:
            pos_weight = torch.full((n_actions,), float(self.opts.positive_weight), device=device)
            pos_weight[:2] = 1.0  # EOA, SHIFT
        max_steps = 2 * t_gold if any_foreign else t_gold

        ar = torch.arange(batch, device=device)
        cursor = torch.zeros(batch, dtype=torch.long, device=device)
        pointer = torch.ones(batch, dtype=torch.long, device=device)
        deferred = torch.zeros(batch, dtype=torch.bool, device=device)
        readout = self._attend(memory, mem_scores, pos_scores, torch.zeros_like(pointer), slot_mask)
        total = x.new_zeros(())
        rows = x.new_zeros(())
        tr = SRUTrace() if trace else None
        for _t in range(max_steps):
            active = cursor < t_len
            if not bool(active.any()):
                break
            k = cursor.clamp(max=t_gold - 1)
            gold_row = targets[ar, k]
            kind = kinds[ar, k]
            is_shift = kind == 1
            is_eoa = kind == 2
            word = x[ar, pointer] if self.read_word else memory[ar, pointer]
            logits = self.mlp(torch.cat([word, readout], -1)).float()
            probs = torch.sigmoid(logits).detach()
            target = gold_row
            defer = torch.zeros_like(active)
            loss_logits = logits
            if any_foreign:
                live = foreign & ~is_eoa[:, None]
                own_prob = probs * live
                target = gold_row + (lam * own_prob).clamp(max=1.0)
                beats = (own_prob > probs[:, SHIFT_ID : SHIFT_ID + 1]).any(-1)
                defer = is_shift & beats & ~deferred & active
                target = target.clone()
                target[:, SHIFT_ID] = torch.where(defer, probs[:, SHIFT_ID], target[:, SHIFT_ID])
                frozen = live if lam == 1.0 else torch.zeros_like(live)
                frozen = frozen.clone()
                frozen[:, SHIFT_ID] = defer
                loss_logits = torch.where(frozen, logits.detach(), logits)
            bce = F.binary_cross_entropy_with_logits(
                loss_logits, target, reduction="none", pos_weight=pos_weight
            )
            row_loss = bce.mean(-1) * active.to(bce.dtype)
            total = total + row_loss.sum()
            rows = rows + active.sum()
            if tr is not None:
                if logits.requires_grad:
                    logits.retain_grad()
                tr.logits.append(logits)
                tr.deferred_per_step.append(defer.detach().clone())
                tr.deferred += int(defer.sum())
                tr.steps += 1
            # write the model's own soft prediction into the current slot, then read out
            m, hot = self._write(logits.to(x.dtype), active, pointer, length)
            memory = memory + hot[..., None] * m[:, None]
            mem_scores = mem_scores + hot[..., None] * (self.tau * m @ q.T)[:, None]
            readout = self._attend(memory, mem_scores, pos_scores, pointer, slot_mask)
            advance = active & ~defer
            move = advance & (is_shift | is_eoa)
            pointer = torch.minimum(pointer + move.long(), n + 1)
            cursor = cursor + advance.long()
            deferred = defer
        if tr is not None:
            tr.rows = int(rows)
        return total / rows.clamp(min=1), tr

    # ------------------------------------------------------------------ inference
    def step_scores(self, features: WordFeatures) -> tuple[list[torch.Tensor], list[int], Any]:
        """Run the decoder; per-sentence step probabilities [T_b, A] (as float tensors)."""
        device = features.words.device
        x, slot_mask, n, memory, mem_scores, (q, pos_scores) = self._prepare(features)
        batch, length, _ = x.shape
        ar = torch.arange(batch, device=device)
        cap = torch.ceil(self.opts.max_step_factor * (n + 2).double()).long()
        max_steps = int(cap.max()) if batch else 0
        pointer = torch.ones(batch, dtype=torch.long, device=device)
        active = torch.ones(batch, dtype=torch.bool, device=device)
        ended = cap.clone()
        readout = self._attend(memory, mem_scores, pos_scores, torch.zeros_like(pointer), slot_mask)
        history: list[torch.Tensor] = []
        for t in range(max_steps):
            word = x[ar, pointer] if self.read_word else memory[ar, pointer]
            logits = self.mlp(torch.cat([word, readout], -1)).float()
            probs = torch.sigmoid(logits)
            history.append(probs)
            best = logits.argmax(-1)
            stop = (best == EOA_ID) | ((best == SHIFT_ID) & (pointer == n + 1))
            finishing = active & stop
            ended = torch.where(finishing, torch.full_like(ended, t + 1), ended)
            m, hot = self._write(logits.to(x.dtype), active, pointer, length)
            memory = memory + hot[..., None] * m[:, None]
            mem_scores = mem_scores + hot[..., None] * (self.tau * m @ q.T)[:, None]
            readout = self._attend(memory, mem_scores, pos_scores, pointer, slot_mask)
            move = active & ((best == SHIFT_ID) | (best == EOA_ID))
            pointer = torch.minimum(pointer + move.long(), n + 1)
            active = active & ~stop & (t + 1 < cap)
            if not bool(active.any()):
                break
        if not history:
            return [torch.zeros(0, len(self.vocab)) for _ in range(batch)], n.tolist(), None
        table = torch.stack(history, 1).cpu()  # [B, T, A]
        ends = ended.clamp(max=table.shape[1]).tolist()
        return [table[b, : ends[b]] for b in range(batch)], n.tolist(), None

    def decode_full(self, features: WordFeatures) -> list[list[PredSpan]]:
        """Predicted spans per sentence with the raw action labels (``CORPUS$Type``)."""
        per_sentence, lengths, _ = self.step_scores(features)
        out: list[list[PredSpan]] = []
        stats = DecodeStats()
        for rows, n_words in zip(per_sentence, lengths, strict=True):
            out.append(
                decode_step_scores(
                    rows.tolist(), self.vocab, n_words, threshold=self.opts.threshold, stats=stats
                )
            )
        for name in ("unmatched_reduce", "empty_span", "left_open", "beyond_sentence"):
            value = getattr(stats, name)
            if value:
                self.counters[f"decode: {name.replace('_', ' ')}"] += value
        return out

    def view_spans(
        self, spans: Sequence[PredSpan], corpus: str | None, view: str | None = None
    ) -> list[PredSpan]:
        """Apply a label view to raw predictions of one sentence (see the module docstring)."""
        view = view or self.opts.view
        best: dict[tuple[int, int, str], float] = {}
        for s, e, label, score in spans:
            if not self.separate:
                name = label
            elif view == "separate" and corpus in self.corpus_ids:
                name = self.bare(label) if self.corpus_of(label) == corpus else label
            else:
                name = self.bare(label)
            key = (s, e, name)
            if score > best.get(key, -math.inf):
                best[key] = score
        return [(s, e, lab, sc) for (s, e, lab), sc in sorted(best.items(), key=_key)]

    def decode(
        self, features: WordFeatures, corpora: Sequence[str] | None = None
    ) -> list[list[PredSpan]]:
        """Predicted spans per sentence, in the configured label view."""
        raw = self.decode_full(features)
        names: Sequence[str | None] = list(corpora) if corpora is not None else [None] * len(raw)
        return [self.view_spans(spans, c) for spans, c in zip(raw, names, strict=True)]

    def export_config(self) -> dict[str, Any]:
        """The head's config with its action labels (to rebuild it exactly)."""
        cfg = super().export_config()
        cfg["action_labels"] = list(self.vocab.labels)
        return cfg


def _key(item: tuple[tuple[int, int, str], float]) -> tuple[int, int, str]:
    (s, e, lab), _ = item
    return (s, -e, lab)


def predict_raw(
    model: Any, examples: Sequence[Any], max_words: int = EVAL_MAX_WORDS
) -> list[list[PredSpan]]:
    """Raw predictions (``CORPUS$Type`` labels) of every SRU head of ``model`` on ``examples``.

    ``model`` is a :class:`~mosaicner.models.MultiTaskModel`; ``examples`` are
    :class:`~mosaicner.data.model.SentenceExample`.  Unlike ``model.predict``, nothing is
    restricted to the sentence corpus's types, so the result feeds both evaluation views
    (:func:`mosaicner.evaluation.views.score_views`), cross-corpus scoring and the out-of-domain
    export (:mod:`mosaicner.analysis.ood`).
    """
    from mosaicner.data.batching import make_batches

    heads = [h for _, h in model.head_items() if isinstance(h, SRUHead)]
    if not heads:
        raise UnknownLabelError("the model has no SRU head", hint="train with a head of type sru")
    out: list[list[PredSpan]] = [[] for _ in examples]
    if not examples:
        return out
    was_training = bool(model.training)
    model.eval()
    try:
        with torch.inference_mode():
            lengths = context_lengths(examples)
            keys = context_keys(examples)
            for batch in make_batches(lengths, max_words, keys=keys):
                words = [examples[i].words for i in batch]
                contexts = example_contexts([examples[i] for i in batch])
                features = model.encoder(model.encoder.encode_batch(words, contexts=contexts))
                for head in heads:
                    for i, spans in zip(batch, head.decode_full(features), strict=True):
                        out[i].extend(spans)
    finally:
        if was_training:
            model.train()
    return out


__all__ = ["SRUHead", "SRUOptions", "SRUTrace", "predict_raw"]
