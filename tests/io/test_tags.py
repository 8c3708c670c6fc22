from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mosaicner.errors import ConfigError, TagPrefixError, TagSequenceError
from mosaicner.io.tags import convert, decode, encode


@pytest.mark.parametrize(
    ("scheme", "tags", "spans"),
    [
        ("iob2", ["B-A", "I-A", "O", "B-B", "B-B"], [(0, 2, "A"), (3, 4, "B"), (4, 5, "B")]),
        ("iob1", ["I-A", "I-A", "O", "I-B", "B-B"], [(0, 2, "A"), (3, 4, "B"), (4, 5, "B")]),
        ("iobes", ["B-A", "E-A", "O", "S-B", "S-B"], [(0, 2, "A"), (3, 4, "B"), (4, 5, "B")]),
        ("iobes", ["B-A", "I-A", "E-A"], [(0, 3, "A")]),
        ("iob2", ["B-A", "I-A"], [(0, 2, "A")]),
        ("iob2", ["O", "O"], []),
    ],
)
def test_decode_encode(scheme: str, tags: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert decode(tags, scheme)[0] == spans
    assert encode(spans, len(tags), scheme) == tags


@pytest.mark.parametrize(
    ("scheme", "tags"),
    [
        ("iob2", ["O", "I-A"]),
        ("iob2", ["B-A", "I-B"]),
        ("iob1", ["O", "B-A"]),
        ("iobes", ["O", "E-A"]),
        ("iobes", ["B-A", "O"]),
        ("iobes", ["B-A"]),
        ("iobes", ["I-A", "E-A"]),
        ("iobes", ["B-A", "S-A"]),
    ],
)
def test_strict_rejects_ill_formed(scheme: str, tags: list[str]) -> None:
    with pytest.raises(TagSequenceError, match=r"f\.tsv:1[01]"):
        decode(tags, scheme, file="f.tsv", lines=[10, 11])


def test_lenient_repairs_and_counts() -> None:
    assert decode(["O", "I-A", "I-A", "I-B"], "iob2", strict=False) == (
        [(1, 3, "A"), (3, 4, "B")],
        2,
    )
    assert decode(["B-A", "I-A", "O", "E-B"], "iobes", strict=False) == (
        [(0, 2, "A"), (3, 4, "B")],
        2,
    )


def test_unknown_prefix() -> None:
    with pytest.raises(TagPrefixError, match=r"x\.tsv:7: tag 'X-A'"):
        decode(["X-A"], "iob2", file="x.tsv", lines=[7])
    with pytest.raises(TagPrefixError):
        decode(["S-A"], "iob2")
    with pytest.raises(TagPrefixError):
        decode(["B-"], "iob2")


def test_unknown_scheme() -> None:
    with pytest.raises(ConfigError):
        decode(["O"], "bilux")


@st.composite
def flat_spans(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, str]]]:
    n = draw(st.integers(1, 12))
    spans = []
    pos = 0
    while pos < n and draw(st.booleans()):
        s = draw(st.integers(pos, n - 1))
        e = draw(st.integers(s + 1, n))
        spans.append((s, e, draw(st.sampled_from("AB"))))
        pos = e
    return n, spans


@given(flat_spans(), st.sampled_from(["iob1", "iob2", "iobes"]))
def test_round_trip_every_scheme(case: tuple[int, list[tuple[int, int, str]]], scheme: str) -> None:
    n, spans = case
    tags = encode(spans, n, scheme)
    assert decode(tags, scheme) == (spans, 0)
    for other in ("iob1", "iob2", "iobes"):
        assert decode(convert(tags, scheme, other)[0], other)[0] == spans


@given(st.lists(st.sampled_from(["O", "B-A", "I-A", "E-A", "S-A", "B-B", "I-B"]), max_size=10))
def test_lenient_always_gives_well_formed_spans(tags: list[str]) -> None:
    spans, _ = decode(tags, "iobes", strict=False)
    # re-encoding the repaired spans is well formed in every scheme
    for scheme in ("iob1", "iob2", "iobes"):
        assert decode(encode(spans, len(tags), scheme), scheme) == (spans, 0)
