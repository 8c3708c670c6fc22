from __future__ import annotations

import random

import numpy as np
import pytest

from mosaicner.evaluation import bootstrap_ci, item_counts, score_spans


def _data(n: int = 300, seed: int = 1) -> tuple[list[list], list[list]]:
    rnd = random.Random(seed)
    gold, pred = [], []
    for _ in range(n):
        g = {(i, i + 1, rnd.choice("AB")) for i in range(rnd.randint(0, 4))}
        p = {s for s in g if rnd.random() < 0.7}
        p |= {(i, i + 2, "A") for i in range(rnd.randint(0, 1))}
        gold.append(sorted(g))
        pred.append(sorted(p))
    return gold, pred


def test_item_counts_sum_to_score_spans() -> None:
    gold, pred = _data()
    c = item_counts(gold, pred, types={"A"})
    s = score_spans(gold, pred, types={"A"})
    assert tuple(c.sum(axis=0)) == (s.micro.tp, s.micro.fp, s.micro.fn)


def test_bootstrap_matches_a_plain_loop_and_brackets_the_estimate() -> None:
    gold, pred = _data()
    ci = bootstrap_ci(gold, pred, n_resamples=200, seed=3)
    # Plain re-implementation with the same random stream.
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(gold), size=(200, len(gold)))
    f1s = []
    for row in idx:
        s = score_spans([gold[i] for i in row], [pred[i] for i in row])
        f1s.append(s.micro.f1)
    lo, hi = np.percentile(f1s, [2.5, 97.5])
    assert ci["f1"] == pytest.approx((lo, hi), abs=1e-12)
    point = score_spans(gold, pred).micro
    for key, value in (("precision", point.precision), ("recall", point.recall)):
        assert ci[key][0] <= value <= ci[key][1]
    assert ci["f1"][0] < point.f1 < ci["f1"][1]
    assert bootstrap_ci(gold, pred, n_resamples=200, seed=3) == ci  # deterministic


def test_perfect_predictions_give_degenerate_interval() -> None:
    gold = [[(0, 1, "X")], [(2, 3, "X")], [(0, 2, "Y")]]
    ci = bootstrap_ci(gold, gold, n_resamples=50)
    assert ci == {"precision": (1.0, 1.0), "recall": (1.0, 1.0), "f1": (1.0, 1.0)}


def test_empty_and_bad_arguments() -> None:
    assert bootstrap_ci([], [])["f1"] == (0.0, 0.0)
    with pytest.raises(ValueError):
        bootstrap_ci([[]], [[]], n_resamples=0)
    with pytest.raises(ValueError):
        bootstrap_ci([[]], [[]], alpha=1.5)
