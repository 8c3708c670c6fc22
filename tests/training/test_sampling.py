from __future__ import annotations

import pytest

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
