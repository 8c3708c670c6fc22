"""Length-bucketed batches under a token budget (the torch-free batching module)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.data.batching import BatchStream, batch_cost, make_batches


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 80), min_size=1, max_size=300),
    max_tokens=st.integers(16, 400),
    max_sentences=st.integers(1, 40),
    seed=st.integers(0, 1000),
)
def test_batches_respect_budget_and_cover_everything(
    lengths: list[int], max_tokens: int, max_sentences: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    batches = make_batches(lengths, max_tokens, max_sentences, bucket_size=50, rng=rng)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= max_sentences
        # a batch over budget can only be a single oversized sentence
        assert batch_cost(b, lengths) <= max_tokens or len(b) == 1


def test_eval_batches_are_deterministic_and_sorted() -> None:
    lengths = [5, 3, 9, 3, 1]
    assert make_batches(lengths, 12) == make_batches(lengths, 12)
    flat = [i for b in make_batches(lengths, 12) for i in b]
    assert [lengths[i] for i in flat] == sorted(lengths)


def test_stream_epochs_and_state() -> None:
    lengths = list(range(1, 41))
    s = BatchStream(lengths, 60, 8, 10, seed=1)
    first_epoch = [s.next() for _ in range(len(s.batches))]
    assert sorted(i for b in first_epoch for i in b) == list(range(40))
    state = s.state_dict()
    ahead = [s.next() for _ in range(30)]
    t = BatchStream(lengths, 60, 8, 10, seed=2)
    t.load_state_dict(state)
    assert [t.next() for _ in range(30)] == ahead
    assert t.epoch >= 1


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 80)), min_size=1, max_size=60),
    max_tokens=st.integers(16, 400),
    max_sentences=st.integers(1, 40),
    seed=st.one_of(st.none(), st.integers(0, 1000)),
)
def test_window_units_stay_whole_and_count_once(
    sizes: list[tuple[int, int]], max_tokens: int, max_sentences: int, seed: int | None
) -> None:
    # unit u: ``count`` sentences reading one shared window of ``length`` tokens
    keys = [u for u, (count, _) in enumerate(sizes) for _ in range(count)]
    lengths = [length for count, length in sizes for _ in range(count)]
    rng = None if seed is None else np.random.default_rng(seed)
    batches = make_batches(lengths, max_tokens, max_sentences, 50, rng, keys=keys)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    where = {keys[i]: k for k, b in enumerate(batches) for i in b}
    for k, b in enumerate(batches):
        assert all(where[keys[i]] == k for i in b)  # a unit is never split
        units = {keys[i] for i in b}
        cost = len(units) * max(lengths[i] for i in b)
        # over budget or over the sentence cap: only a single unit
        assert (cost <= max_tokens and len(b) <= max_sentences) or len(units) == 1
    if rng is None:
        assert batches == make_batches(lengths, max_tokens, max_sentences, keys=keys)
