from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.training.batching import BatchStream, batch_cost, make_batches
from mosaicner.training.sampling import CorpusSampler, corpus_probabilities

SIZES = {"a": 100, "b": 400, "c": 1600}


def test_probabilities() -> None:
    assert corpus_probabilities(SIZES, "uniform") == pytest.approx(
        {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    )
    assert corpus_probabilities(SIZES, "proportional") == pytest.approx(
        {"a": 100 / 2100, "b": 400 / 2100, "c": 1600 / 2100}
    )
    # T=2: p ~ sqrt(n) = 10, 20, 40
    assert corpus_probabilities(SIZES, "temperature", 2.0) == pytest.approx(
        {"a": 10 / 70, "b": 20 / 70, "c": 40 / 70}
    )


@pytest.mark.parametrize("kind", ["uniform", "proportional", "temperature"])
def test_sampler_empirical_proportions(kind: str) -> None:
    sampler = CorpusSampler(SIZES, kind, temperature=2.0, seed=3)
    n = 20000
    for _ in range(n):
        sampler()
    for name, p in sampler.probabilities.items():
        assert sampler.drawn[name] / n == pytest.approx(p, abs=0.015)


def test_sampler_state_resumes_sequence() -> None:
    a = CorpusSampler(SIZES, seed=5)
    for _ in range(10):
        a()
    state = a.state_dict()
    rest = [a() for _ in range(20)]
    b = CorpusSampler(SIZES, seed=99)
    b.load_state_dict(state)
    assert [b() for _ in range(20)] == rest


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
