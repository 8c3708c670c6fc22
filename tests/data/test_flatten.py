from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mosaicner.data.flatten import flatten
from mosaicner.data.model import Span
from mosaicner.data.nesting import check_nesting, require_nesting
from mosaicner.errors import ConfigError, CrossingSpansError, DataError

NESTED = [Span(0, 10, "DNA"), Span(0, 4, "protein"), Span(5, 10, "protein"), Span(12, 15, "RNA")]


def labels(spans: tuple[Span, ...]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]


def test_policies_on_nested_spans() -> None:
    kept, rep = flatten(NESTED, "outermost")
    assert labels(kept) == [(0, 10, "DNA"), (12, 15, "RNA")]
    assert (rep.total, rep.kept, rep.dropped) == (4, 2, 2)
    kept, rep = flatten(NESTED, "innermost")
    assert labels(kept) == [(0, 4, "protein"), (5, 10, "protein"), (12, 15, "RNA")]
    assert rep.dropped == 1
    assert labels(flatten(NESTED, "longest")[0]) == [(0, 10, "DNA"), (12, 15, "RNA")]


def test_policies_on_crossing_spans() -> None:
    crossing = [Span(0, 3, "A"), Span(2, 9, "B")]
    assert labels(flatten(crossing, "outermost")[0]) == [(0, 3, "A")]
    assert labels(flatten(crossing, "longest")[0]) == [(2, 9, "B")]


def test_error_policy_and_unknown_policy() -> None:
    with pytest.raises(DataError, match="overlap"):
        flatten(NESTED, "error")
    assert flatten([Span(0, 2, "A"), Span(2, 4, "B")], "error")[1].dropped == 0
    with pytest.raises(ConfigError):
        flatten(NESTED, "shortest")


def test_crossing_spans_are_found_and_raise() -> None:
    a, b, c = Span(0, 5, "A"), Span(3, 8, "B"), Span(1, 2, "C")
    assert check_nesting([a, b, c]) == [(a, b)]
    assert check_nesting(NESTED) == []
    with pytest.raises(CrossingSpansError, match=r"x\.txt:4: .*cross"):
        require_nesting([a, b], file="x.txt", line=4)


RAW = st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6), st.sampled_from("AB")), max_size=12)


@given(RAW, st.sampled_from(["outermost", "innermost", "longest"]))
def test_flatten_output_is_flat_and_counts_add_up(
    raw: list[tuple[int, int, str]], policy: str
) -> None:
    spans = [Span(s, s + n, lab) for s, n, lab in raw]
    kept, rep = flatten(spans, policy)
    assert all(x.end <= y.start for x, y in itertools.pairwise(kept))
    assert rep.kept + rep.dropped == rep.total == len(spans)
    # maximal: every dropped span overlaps a kept one
    for sp in spans:
        assert any(sp.overlaps(k) for k in kept)


_TOKEN_SPANS = st.lists(
    st.tuples(st.integers(0, 9), st.integers(1, 4), st.sampled_from(["X", "Y"])).map(
        lambda t: (t[0], min(t[0] + t[1], 10), t[2])
    ),
    max_size=8,
)


@given(_TOKEN_SPANS)
def test_flat_views_are_flat_and_keep_the_outer_or_inner_level(
    spans: list[tuple[int, int, str]],
) -> None:
    from mosaicner.data.flatten import flat_target_drops, flat_view

    outer, inner = flat_view(spans, "outermost"), flat_view(spans, "innermost")
    for view in (outer, inner):
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(view))  # flat, in order
        assert set(view) <= set(spans)
    # the outermost view is what the CRF targets keep
    assert len(spans) - len(outer) == flat_target_drops(spans)


def test_flat_views_of_a_nested_mention() -> None:
    from mosaicner.data.flatten import flat_view

    spans = [(0, 3, "DNA"), (0, 1, "protein"), (5, 6, "RNA")]
    assert flat_view(spans, "outermost") == ((0, 3, "DNA"), (5, 6, "RNA"))
    assert flat_view(spans, "innermost") == ((0, 1, "protein"), (5, 6, "RNA"))
