"""Length-bucketed batches under a token budget, with dynamic padding (torch-free).

The one batching module of the toolkit: training streams, dev/test scoring, prediction, the SRU
head's raw predictions and the model's encoder batches all pack with :func:`pack`.

The cost of a batch is what the encoder computes: ``sentences x longest sentence`` in subword
tokens (after padding).  Sentences are shuffled, cut into pools of ``bucket_size``, sorted by
length inside each pool and packed greedily while the padded cost stays within ``max_tokens``
(and at most ``max_sentences`` per batch), then the batch order is shuffled.  A sentence longer
than the budget on its own gets a batch of one; those are counted (``oversized``).

With ``keys`` (sentences packed into shared document windows,
:func:`mosaicner.data.context.context_keys`), sentences with equal keys read one encoder input:
they form a unit that is shuffled, sorted and packed whole and costs one row.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def pack(
    order: Sequence[int],
    lengths: Sequence[int],
    max_tokens: int,
    max_sentences: int,
    rows: Sequence[int] | None = None,
) -> list[list[int]]:
    """Pack indices (already in the wanted order) into consecutive batches within the budget.

    A batch costs ``rows x longest length``; each item is one row unless ``rows`` says how many
    (an encoder window per row, for sentences longer than the encoder's limit).
    """
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    n_rows = 0
    for i in order:
        n = int(lengths[i])
        r = 1 if rows is None else int(rows[i])
        new_longest = max(longest, n)
        if cur and ((n_rows + r) * new_longest > max_tokens or len(cur) >= max_sentences):
            batches.append(cur)
            cur, new_longest, n_rows = [], n, 0
        cur.append(int(i))
        n_rows += r
        longest = new_longest
    if cur:
        batches.append(cur)
    return batches


#: Words per evaluation batch (sentences sorted by length).  Measured on a 2-core CPU with the
#: MiniLM encoder: 1,024 words scored about 2,800-3,100 words/s, 4,096 words 1,800
#: (benchmarks/mosaic/results/eval_speed.txt): smaller batches stay in cache.
EVAL_MAX_WORDS = 1024


def group_units(keys: Sequence[Hashable]) -> list[list[int]]:
    """Indices grouped by equal key, in order of first appearance."""
    groups: dict[Hashable, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    return list(groups.values())


def pack_units(
    order: Sequence[int],
    units: Sequence[Sequence[int]],
    unit_len: Sequence[int],
    max_tokens: int,
    max_sentences: int,
) -> list[list[int]]:
    """Like :func:`pack` over units: a unit costs one row of its length and is never split."""
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    n_rows = 0
    for u in order:
        n = int(unit_len[u])
        members = units[u]
        new_longest = max(longest, n)
        too_many = len(cur) + len(members) > max_sentences
        if cur and ((n_rows + 1) * new_longest > max_tokens or too_many):
            batches.append(cur)
            cur, new_longest, n_rows = [], n, 0
        cur.extend(int(i) for i in members)
        n_rows += 1
        longest = new_longest
    if cur:
        batches.append(cur)
    return batches


def make_batches(
    lengths: Sequence[int],
    max_tokens: int,
    max_sentences: int = 10**9,
    bucket_size: int = 1000,
    rng: np.random.Generator | None = None,
    keys: Sequence[Hashable] | None = None,
) -> list[list[int]]:
    """Batches of example indices.  Without ``rng``: sorted by length, deterministic (eval).

    ``keys``: sentences with equal keys share one encoder input (a document window) and are
    batched together, counted once (see the module docstring)."""
    if keys is not None:
        if len(keys) != len(lengths):
            raise ValueError("one key per length is needed")
        units = group_units(keys)
        unit_len = [max(int(lengths[i]) for i in u) for u in units]
        uidx = np.arange(len(units))
        if rng is None:
            order = sorted(uidx.tolist(), key=lambda u: (unit_len[u], u))
            return pack_units(order, units, unit_len, max_tokens, max_sentences)
        rng.shuffle(uidx)
        unit_batches: list[list[int]] = []
        # pools of about ``bucket_size`` sentences
        per_pool = max(1, bucket_size * len(units) // max(1, len(lengths)))
        for lo in range(0, len(uidx), per_pool):
            pool = sorted(uidx[lo : lo + per_pool].tolist(), key=lambda u: (unit_len[u], u))
            unit_batches.extend(pack_units(pool, units, unit_len, max_tokens, max_sentences))
        perm = rng.permutation(len(unit_batches))
        return [unit_batches[j] for j in perm]
    idx = np.arange(len(lengths))
    if rng is None:
        order = sorted(idx.tolist(), key=lambda i: (lengths[i], i))
        return pack(order, lengths, max_tokens, max_sentences)
    rng.shuffle(idx)
    batches: list[list[int]] = []
    for lo in range(0, len(idx), bucket_size):
        pool = sorted(idx[lo : lo + bucket_size].tolist(), key=lambda i: (lengths[i], i))
        batches.extend(pack(pool, lengths, max_tokens, max_sentences))
    perm = rng.permutation(len(batches))
    return [batches[j] for j in perm]


def batch_cost(batch: Sequence[int], lengths: Sequence[int]) -> int:
    """Padded tokens of a batch."""
    return len(batch) * max((int(lengths[i]) for i in batch), default=0)


@dataclass
class BatchStream:
    """An endless stream of shuffled batches over one corpus (a new shuffle every epoch)."""

    lengths: Sequence[int]
    max_tokens: int
    max_sentences: int
    bucket_size: int
    seed: int
    #: sentences sharing an encoder input (document windows), batched together; None: none
    keys: Sequence[Hashable] | None = None
    epoch: int = 0
    position: int = 0
    batches: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.oversized = sum(1 for n in self.lengths if n > self.max_tokens)
        if not self.batches:
            self._new_epoch(first=True)

    def _new_epoch(self, first: bool = False) -> None:
        if not first:
            self.epoch += 1
        self.batches = make_batches(
            self.lengths,
            self.max_tokens,
            self.max_sentences,
            self.bucket_size,
            self.rng,
            keys=self.keys,
        )
        self.position = 0

    def next(self) -> list[int]:
        """The next batch (example indices); a new shuffle starts when the epoch is used up."""
        if self.position >= len(self.batches):
            self._new_epoch()
        batch = self.batches[self.position]
        self.position += 1
        return batch

    def state_dict(self) -> dict[str, Any]:
        """Generator state, epoch, position and the epoch's batches (saved in checkpoints)."""
        return {
            "rng": self.rng.bit_generator.state,
            "epoch": self.epoch,
            "position": self.position,
            "batches": [list(b) for b in self.batches],
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.rng.bit_generator.state = state["rng"]
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])
        self.batches = [list(b) for b in state["batches"]]


__all__ = [
    "EVAL_MAX_WORDS",
    "BatchStream",
    "batch_cost",
    "group_units",
    "make_batches",
    "pack",
    "pack_units",
]
