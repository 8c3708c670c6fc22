from __future__ import annotations

import math

from mosaicner.analysis.recommend import choose_measure, loto_hit_rate, recommend


def _tables() -> tuple[list[dict], list[dict]]:
    names = ["A", "B", "C", "D"]
    sim, gains = [], []
    for i, t in enumerate(names):
        for j, a in enumerate(names):
            if t == a:
                continue
            good = (i * 7 + j * 3) % 5 / 5  # arbitrary but deterministic
            sim.append({"measure": "good", "target": t, "auxiliary": a, "value": good})
            sim.append({"measure": "tvc", "target": t, "auxiliary": a, "value": -good + j / 10})
            gains.append({"target": t, "auxiliary": a, "gain": 0.1 * good})
    return sim, gains


def test_loto_picks_the_predictive_measure_and_hits() -> None:
    sim, gains = _tables()
    g = {(r["target"], r["auxiliary"]): r["gain"] for r in gains}
    best, scores = choose_measure(sim, g, ["good", "tvc"], exclude_target="A")
    assert best == "good" and scores["good"] > scores["tvc"]
    val = loto_hit_rate(sim, gains, ["good", "tvc"])
    assert val["n_targets"] == 4
    assert all(v["measure"] == "good" for v in val["per_target"].values())
    assert val["hit_rate"] == 1.0


def test_recommend_default_tvc_and_validated() -> None:
    sim, gains = _tables()
    out = recommend("A", ["B", "C", "D"], sim)
    assert out["measure"] == "tvc" and "default" in out["why"]
    assert [r["rank"] for r in out["ranking"]] == [1, 2, 3]
    scores = [r["score"] for r in out["ranking"]]
    assert scores == sorted(scores, reverse=True)
    out2 = recommend("A", ["B", "C", "D"], sim, gains, measures=["good", "tvc"])
    assert out2["measure"] == "good" and "leave-one-target-out" in out2["why"]
    top = out2["ranking"][0]["auxiliary"]
    known = out2["validation"]["known_gains"]
    assert known[top] == max(known.values())
    assert not math.isnan(out2["validation"]["loto"]["chance_hit_rate"])


def test_a_measure_that_cannot_rank_most_targets_does_not_win_on_the_rest() -> None:
    """``sparse`` ranks one target perfectly and is constant (undefined ρ) on the others;
    ``broad`` ranks every target fairly well.  Undefined targets count as ρ = 0, so ``broad``
    is chosen (a nan-skipping mean would give ``sparse`` 1.0)."""
    names = ["A", "B", "C", "D"]
    sim, g = [], {}
    for i, t in enumerate(names):
        for j, a in enumerate(n for n in names if n != t):
            gain = float(j)
            g[(t, a)] = gain
            sparse = gain if i == 0 else 0.0
            broad = [0.0, 2.0, 1.0][j]  # rho 0.5 in every target
            sim.append({"measure": "sparse", "target": t, "auxiliary": a, "value": sparse})
            sim.append({"measure": "broad", "target": t, "auxiliary": a, "value": broad})
    best, scores = choose_measure(sim, g, ["sparse", "broad"])
    assert best == "broad"
    assert math.isclose(scores["sparse"], 0.25) and math.isclose(scores["broad"], 0.5)
