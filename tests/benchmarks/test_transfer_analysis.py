"""benchmarks/science/transfer_analysis.py: seed-paired gains against the right baseline."""

from __future__ import annotations

from typing import Any

import pytest
import transfer_analysis as ta


def _rec(condition: str, corpus: str, seed: int, steps: int, f1: float) -> dict[str, Any]:
    return {
        "experiment": "transfer_matrix", "condition": condition, "corpus": corpus,
        "seed": seed, "steps": steps, "f1": f1, "p": f1, "r": f1, "test_support": 1,
        "test_subsample": None,
    }  # fmt: skip


def test_gains_pair_seeds_and_use_the_baseline_with_the_target_batches() -> None:
    recs = [
        _rec("stl", "A", 1, 300, 0.50),
        _rec("stl", "A", 2, 300, 0.60),
        _rec("stl", "A", 1, 600, 0.90),  # more steps than the MTL target head got: not used
        _rec("mtl+B", "A", 1, 600, 0.55),
        _rec("mtl+B", "A", 2, 600, 0.58),
        _rec("mtl+B", "A", 3, 600, 0.99),  # no baseline for seed 3: not used
        _rec("mtl+C", "A", 1, 400, 0.70),  # no 200-step baseline: no gain
        {**_rec("mtl+C", "A", 1, 600, 0.1), "experiment": "mtl_vs_stl"},  # other experiment
    ]
    (g,) = ta.gains_from_records(recs)
    assert (g["target"], g["auxiliary"], g["n_seeds"], g["stl_steps"]) == ("A", "B", 2, 300)
    assert g["gain"] == pytest.approx(((0.55 - 0.50) + (0.58 - 0.60)) / 2)
    assert g["f1_stl"] == pytest.approx(0.55) and g["sd"] == pytest.approx(0.0494975, rel=1e-4)
