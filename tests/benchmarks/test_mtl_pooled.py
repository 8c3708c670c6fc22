"""benchmarks/science/mtl_pooled.py: pooled seed-paired MTL gains over the related pairs."""

from __future__ import annotations

import math

import mtl_pooled
import pytest


def test_pooled_differences_over_corpora_and_seeds() -> None:
    f1 = {
        ("NCBI-disease", "stl", 200, 1): 0.60,
        ("NCBI-disease", "stl", 200, 2): 0.62,
        ("NCBI-disease", "mtl+BC5CDR", 400, 1): 0.63,
        ("NCBI-disease", "mtl+BC5CDR", 400, 2): 0.66,
        ("BC2GM", "stl", 200, 1): 0.50,
        ("BC2GM", "mtl+JNLPBA", 400, 1): 0.55,
        ("BC2GM", "mtl+JNLPBA", 400, 9): 0.99,  # no baseline for seed 9: not paired
    }
    res = mtl_pooled.pooled(f1, mtl_pooled.RELATED, 400, 200)
    assert res is not None
    diffs, mean, lo, hi = res
    assert sorted(diffs) == pytest.approx([3.0, 4.0, 5.0])
    half = 4.302652729911275 * 1.0 / math.sqrt(3)
    assert mean == pytest.approx(4.0) and (lo, hi) == (
        pytest.approx(4.0 - half),
        pytest.approx(4.0 + half),
    )
    assert mtl_pooled.pooled(f1, mtl_pooled.CONTROL, 400, 200) is None
