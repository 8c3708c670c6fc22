from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.evaluation import score_overlap, score_spans


def test_overlap_definition() -> None:
    gold = [[(0, 3, "Disease"), (5, 7, "Disease"), (9, 10, "Chemical")]]
    pred = [[(1, 2, "Disease"), (7, 8, "Disease"), (9, 10, "Disease")]]
    s = score_overlap(gold, pred)
    d = s.per_type["Disease"]
    # (1,2) overlaps (0,3); (7,8) touches (5,7) only at the boundary: no overlap (half-open);
    # (9,10) overlaps a Chemical, not a Disease.
    assert (d.matched_pred, d.n_pred, d.matched_gold, d.n_gold) == (1, 3, 1, 2)
    assert s.micro.precision == pytest.approx(1 / 3)
    assert s.micro.recall == pytest.approx(1 / 3)


def test_one_long_prediction_matches_two_gold() -> None:
    s = score_overlap([[(0, 2, "X"), (3, 5, "X")]], [[(0, 5, "X")]])
    assert s.micro.recall == 1.0 and s.micro.precision == 1.0


def test_types_filter() -> None:
    s = score_overlap([[(0, 2, "X")]], [[(0, 2, "Y")]], types={"X"})
    assert set(s.per_type) == {"X"}
    assert s.micro.n_pred == 0 and s.micro.n_gold == 1


spans = st.lists(
    st.tuples(st.integers(0, 8), st.integers(1, 4), st.sampled_from(["A", "B"])).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=5,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(spans, spans), max_size=4))
def test_overlap_never_below_strict(items: list[tuple[list, list]]) -> None:
    gold = [g for g, _ in items]
    pred = [p for _, p in items]
    strict = score_spans(gold, pred)
    ov = score_overlap(gold, pred)
    assert ov.micro.precision >= strict.micro.precision - 1e-12
    assert ov.micro.recall >= strict.micro.recall - 1e-12
