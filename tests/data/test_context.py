from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mosaicner.data.context import add_document_context, example_contexts, neighbour_context
from mosaicner.data.model import SentenceExample


def test_nearest_words_of_the_same_document_only() -> None:
    sents = [["a", "b"], ["c", "d", "e"], ["f"], ["g", "h"]]
    groups = ["d1", "d1", "d1", "d2"]
    ctx = neighbour_context(sents, groups, 2)
    assert ctx[0] == ((), ("c", "d"))
    assert ctx[1] == (("a", "b"), ("f",))  # the document ends after "f"
    assert ctx[2] == (("d", "e"), ())
    assert ctx[3] == ((), ())  # alone in its document
    assert neighbour_context(sents, groups, 0) == [((), ())] * 4


_DOCS = st.lists(
    st.tuples(st.integers(0, 2), st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4)),
    max_size=8,
)


@given(_DOCS, st.integers(0, 6))
def test_context_is_the_nearest_slice_of_the_document(
    items: list[tuple[int, list[str]]], n: int
) -> None:
    # consecutive items with the same key form a document; context never leaves it
    groups = [g for g, _ in items]
    sents = [[f"{g}{w}" for w in ws] for g, ws in items]
    for i, (left, right) in enumerate(neighbour_context(sents, groups, n)):
        lo = i
        while lo > 0 and groups[lo - 1] == groups[i]:
            lo -= 1
        hi = i
        while hi + 1 < len(sents) and groups[hi + 1] == groups[i]:
            hi += 1
        before = [w for s in sents[lo:i] for w in s]
        after = [w for s in sents[i + 1 : hi + 1] for w in s]
        assert list(left) == (before[max(0, len(before) - n) :] if n else [])
        assert list(right) == after[:n]


def test_examples_get_context_per_corpus_and_document() -> None:
    exs = [
        SentenceExample("d1", 0, ("a",), (), "X"),
        SentenceExample("d1", 1, ("b",), ((0, 1, "T"),), "X"),
        SentenceExample("d1", 0, ("c",), (), "Y"),  # same doc id, other corpus
    ]
    assert example_contexts(exs) is None
    out = add_document_context(exs, 3)
    assert [(e.left, e.right) for e in out] == [((), ("b",)), (("a",), ()), ((), ())]
    assert out[1].spans == exs[1].spans and out[1].words == ("b",)
    assert example_contexts(out) == [((), ("b",)), (("a",), ()), ((), ())]
