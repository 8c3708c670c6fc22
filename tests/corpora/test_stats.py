"""Statistics of every shared corpus equal MANIFEST.md (figures parsed from the manifest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from mosaicner.corpora.registry import CORPORA
from mosaicner.corpora.stats import document_stats, nesting, stats_for
from mosaicner.data.model import Document


@pytest.mark.parametrize("name", list(CORPORA))
def test_stats_equal_manifest(
    name: str,
    manifest: dict[str, dict[str, dict[str, Any]]],
    cli_stats: Callable[[str], dict[str, Any]],
) -> None:
    got = cli_stats(name)
    assert got["corpus"] == name
    assert list(got["splits"]) == ["train", "dev", "test"]
    for split, want in manifest[name].items():
        st = got["splits"][split]
        assert set(st) == {"documents", "sentences", "tokens", "mentions", "nested_mentions"}
        assert st["sentences"] == want["sentences"], (name, split)
        assert st["tokens"] == want["tokens"], (name, split)
        assert st["mentions"] == want["mentions"], (name, split)
        assert sum(st["mentions"].values()) == want["entities"]
        assert st["nested_mentions"] == want.get("nested_mentions", 0), (name, split)
        if "documents" in want:
            assert st["documents"] == want["documents"], (name, split)


def test_genia_nested_counts_are_the_expected_ones(
    cli_stats: Callable[[str], dict[str, Any]],
) -> None:
    splits = cli_stats("GENIA-nested")["splits"]
    assert [splits[s]["nested_mentions"] for s in ("train", "dev", "test")] == [4383, 444, 603]


def _doc(spans: list[tuple[int, int, str]]) -> Document:
    return Document.from_sentences("d", [["w"] * 10, ["v"] * 5], [spans, [(0, 2, "X")]])


def test_nested_definition_strictly_inside_another_mention() -> None:
    # [0,5) contains [1,3) and [1,3) contains [2,3): two nested; [0,5) twice-labelled is not
    # nested in itself; [6,8) is disjoint
    st = document_stats(
        [_doc([(0, 5, "A"), (0, 5, "B"), (1, 3, "A"), (2, 3, "C"), (6, 8, "A"), (0, 3, "Z")])]
    )
    assert st.nested_mentions == 3  # [1,3), [2,3), [0,3)
    assert st.max_depth == 4  # [0,5) > [0,3) > [1,3) > [2,3)
    assert st.multi_label_spans == 1
    assert st.sentences == 2 and st.tokens == 15 and st.documents == 1
    assert dict(st.mentions) == {"A": 3, "B": 1, "C": 1, "Z": 1, "X": 1}


def test_same_start_shorter_span_is_nested() -> None:
    doc = _doc([(0, 4, "A"), (0, 2, "B")])
    assert nesting(doc.layer())[0] == 1


def test_empty_document() -> None:
    st = document_stats([Document("e", "")])
    assert (st.documents, st.sentences, st.tokens, st.nested_mentions) == (1, 0, 0, 0)


def test_genia_depth_and_two_label_spans_equal_manifest(
    data_dir: Path, manifest: dict[str, dict[str, dict[str, Any]]]
) -> None:
    st = stats_for(data_dir / "GENIA-nested", ["dev", "test"])
    for split in ("dev", "test"):
        assert st.splits[split].max_depth == manifest["GENIA-nested"][split]["max_depth"]
    # MANIFEST quirks: "Some spans carry two labels: 4 in dev and 5 in test"
    assert (st.splits["dev"].multi_label_spans, st.splits["test"].multi_label_spans) == (4, 5)


@settings(max_examples=150, deadline=None)
@given(
    st_spans=hst.lists(
        hst.tuples(hst.integers(0, 8), hst.integers(1, 4), hst.sampled_from("AB")),
        max_size=12,
    )
)
def test_nesting_matches_brute_force(st_spans: list[tuple[int, int, str]]) -> None:
    spans = sorted({(s, min(s + w, 10), label) for s, w, label in st_spans})
    doc = Document.from_sentences("d", [["w"] * 10], [spans])
    layer = doc.layer()
    brute = sum(1 for a in layer if any(b.contains(a) and not b.same_boundary(a) for b in layer))
    assert nesting(layer)[0] == brute
