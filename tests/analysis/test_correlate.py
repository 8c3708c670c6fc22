from __future__ import annotations

import math
import random

import pytest
from scipy import stats

from mosaicner.analysis.correlate import (
    best_aux_rank,
    correlate,
    ndcg,
    predicted_best_rank,
    top1_hit,
)


def _synthetic(seed: int = 0) -> tuple[list[dict], list[dict]]:
    rnd = random.Random(seed)
    names = ["A", "B", "C", "D", "E"]
    sim, gains = [], []
    for t in names:
        for a in names:
            if t == a:
                continue
            x = rnd.random()
            sim.append({"measure": "tvc", "target": t, "auxiliary": a, "value": x})
            sim.append({"measure": "jsd", "target": t, "auxiliary": a, "value": 1 - x})
            gains.append({"target": t, "auxiliary": a, "gain": 0.05 * x + rnd.gauss(0, 0.01)})
    # self pairs and missing pairs must be ignored, never zero-filled
    gains.append({"target": "A", "auxiliary": "A", "gain": 5.0})
    gains = [g for g in gains if not (g["target"] == "B" and g["auxiliary"] == "C")]
    return sim, gains


def test_correlations_equal_scipy() -> None:
    sim, gains = _synthetic()
    report = correlate(sim, gains, ["tvc", "jsd"])
    tvc = report["measures"][0]
    g = {(r["target"], r["auxiliary"]): r["gain"] for r in gains if r["target"] != r["auxiliary"]}
    s = {(r["target"], r["auxiliary"]): r["value"] for r in sim if r["measure"] == "tvc"}
    pairs = sorted(set(g) & set(s))
    assert len(pairs) == 19 and tvc["pooled"]["n"] == 19
    x = [s[p] for p in pairs]
    y = [g[p] for p in pairs]
    for name, fn in (
        ("pearson", stats.pearsonr),
        ("spearman", stats.spearmanr),
        ("kendall", stats.kendalltau),
    ):
        r, p = fn(x, y)
        assert tvc["pooled"][name]["r"] == pytest.approx(r, abs=1e-12)
        assert tvc["pooled"][name]["p"] == pytest.approx(p, rel=1e-9)
    pa = [p for p in pairs if p[0] == "A"]
    r, p = stats.spearmanr([s[q] for q in pa], [g[q] for q in pa])
    assert tvc["per_target"]["A"]["spearman"]["r"] == pytest.approx(r)
    assert tvc["per_target"]["A"]["spearman"]["p"] == pytest.approx(p)
    assert tvc["per_target"]["B"]["n"] == 3
    # jsd = 1 - tvc: correlations flip sign, rankings (oriented) are identical
    jsd = report["measures"][1]
    assert jsd["pooled"]["pearson"]["r"] == pytest.approx(-tvc["pooled"]["pearson"]["r"])
    assert jsd["summary"]["mean_ndcg"] == pytest.approx(tvc["summary"]["mean_ndcg"])
    assert jsd["summary"]["hit_rate"] == tvc["summary"]["hit_rate"]


def test_too_few_or_constant_gives_nan() -> None:
    sim = [{"measure": "m", "target": "t", "auxiliary": a, "value": 1.0} for a in "abc"]
    gains = [
        {"target": "t", "auxiliary": a, "gain": g} for a, g in zip("abc", (1, 2, 3), strict=True)
    ]
    res = correlate(sim, gains)["measures"][0]
    assert math.isnan(res["pooled"]["pearson"]["r"])
    res2 = correlate(sim[:2], gains)["measures"][0]
    assert res2["pooled"]["n"] == 2 and math.isnan(res2["pooled"]["spearman"]["p"])


def test_ranks_hand_cases() -> None:
    gain = {"a": 0.03, "b": 0.01, "c": -0.02, "d": 0.00}
    perfect = {"a": 4, "b": 3, "c": 1, "d": 2}
    assert best_aux_rank(perfect, gain) == 1
    assert predicted_best_rank(perfect, gain) == 1
    assert ndcg(perfect, gain) == pytest.approx(1.0)
    assert top1_hit(perfect, gain)
    worst = {"a": 1, "b": 2, "c": 4, "d": 3}
    assert best_aux_rank(worst, gain) == 4
    assert predicted_best_rank(worst, gain) == 4
    assert not top1_hit(worst, gain)
    # ties count against the measure
    tied = {"a": 1, "b": 1, "c": 1, "d": 1}
    assert best_aux_rank(tied, gain) == 4
    assert predicted_best_rank(tied, gain) == 4  # pessimistic pick: c


def test_ndcg_hand_value_linear_clipped() -> None:
    gain = {"a": 0.03, "b": 0.01, "c": -0.02}
    sim = {"a": 0.2, "b": 0.9, "c": 0.5}  # order b, c, a ; rel = .01, 0 (clipped), .03
    dcg = 0.01 / math.log2(2) + 0.0 / math.log2(3) + 0.03 / math.log2(4)
    idcg = 0.03 / math.log2(2) + 0.01 / math.log2(3)
    assert ndcg(sim, gain) == pytest.approx(dcg / idcg)
    assert ndcg(sim, gain, k=1) == pytest.approx(0.01 / 0.03)
    assert math.isnan(ndcg(sim, {"a": -1.0, "b": 0.0, "c": -0.5}))


def test_within_target_permutation_finds_signal_and_respects_targets() -> None:
    from mosaicner.analysis.correlate import within_target_permutation

    rnd = random.Random(1)
    names = [f"T{i}" for i in range(7)]
    sim: dict[tuple[str, str], float] = {}
    linked: dict[tuple[str, str], float] = {}
    target_only: dict[tuple[str, str], float] = {}
    for t in names:
        base = rnd.gauss(0, 1)  # a target-level offset: pairs of one target are dependent
        for a in names:
            if a == t:
                continue
            x = rnd.random()
            sim[(t, a)] = x + 3 * base  # the measure also tracks the target
            linked[(t, a)] = x + rnd.gauss(0, 0.1)
            target_only[(t, a)] = 10 * base + rnd.gauss(0, 1)  # gain depends on the target only
    strong = within_target_permutation(sim, linked, n_permutations=2000)
    assert strong["n_targets"] == 7 and strong["observed"] > 0.5 and strong["p"] < 0.01
    # pooled over pairs, the target offset alone makes measure and gain correlate strongly ...
    pairs = sorted(sim)
    pooled = stats.spearmanr([sim[p] for p in pairs], [target_only[p] for p in pairs])
    assert pooled[0] > 0.5 and pooled[1] < 0.001
    # ... while within targets there is nothing to find
    none = within_target_permutation(sim, target_only, n_permutations=2000)
    assert none["p"] > 0.05
    # the same seed gives the same p; too few auxiliaries per target gives NaN
    assert within_target_permutation(sim, linked, n_permutations=2000) == strong
    small = {k: v for k, v in sim.items() if k[1] in ("T0", "T1")}
    assert math.isnan(within_target_permutation(small, linked)["p"])
