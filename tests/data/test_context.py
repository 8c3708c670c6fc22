from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mosaicner.data.context import (
    SENTENCE_BREAK,
    add_document_context,
    context_keys,
    context_lengths,
    document_context,
    example_contexts,
    merged_words,
    neighbour_context,
    split_merged_spans,
    window_context,
)
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


def test_windows_pack_consecutive_sentences_of_a_document() -> None:
    sents = [["a", "b"], ["c", "d", "e"], ["f"], ["g", "h"], ["i"] * 9, ["j"]]
    groups = ["d1", "d1", "d1", "d1", "d1", "d2"]
    ctx = window_context(sents, groups, 6)
    # window 1: a b | c d e | f (6 words); "g h" starts the next; the 9-word one is alone
    assert ctx[0] == ((), ("c", "d", "e", "f"))
    assert ctx[1] == (("a", "b"), ("f",))
    assert ctx[2] == (("a", "b", "c", "d", "e"), ())
    assert ctx[3] == ((), ())
    assert ctx[4] == ((), ())
    assert ctx[5] == ((), ())  # another document
    assert document_context(sents, groups, 6, "window") == ctx
    assert document_context(sents, groups, 2) == neighbour_context(sents, groups, 2)


@given(_DOCS, st.integers(1, 12))
def test_every_sentence_of_a_window_reads_the_same_words(
    items: list[tuple[int, list[str]]], n: int
) -> None:
    groups = [g for g, _ in items]
    sents = [[f"{g}{i}{w}" for w in ws] for i, (g, ws) in enumerate(items)]
    ctx = window_context(sents, groups, n)
    exs = [
        SentenceExample(str(g), i, tuple(s), (), "C", lt, rt)
        for i, (g, s, (lt, rt)) in enumerate(zip(groups, sents, ctx, strict=True))
    ]
    keys = context_keys(exs) or [i for i in range(len(exs))]
    windows: dict[object, list[int]] = {}
    for i, k in enumerate(keys):
        windows.setdefault(k, []).append(i)
    for members in windows.values():
        # a window is a run of consecutive sentences of one document, read whole by each
        assert members == list(range(members[0], members[-1] + 1))
        assert len({groups[i] for i in members}) == 1
        whole = [w for i in members for w in sents[i]]
        assert len(members) == 1 or len(whole) <= n
        for i in members:
            lt, rt = ctx[i]
            assert [*lt, *sents[i], *rt] == whole
    assert context_lengths(exs) == [
        max(1, len(lt) + len(s) + len(rt)) for s, (lt, rt) in zip(sents, ctx, strict=True)
    ]


@given(_DOCS, st.integers(1, 12), st.data())
def test_merged_windows_keep_every_span_and_split_back(
    items: list[tuple[int, list[str]]], n: int, data: st.DataObject
) -> None:
    exs = []
    for i, (g, ws) in enumerate(items):
        spans = []
        if data.draw(st.booleans()):
            a = data.draw(st.integers(0, len(ws) - 1))
            spans.append((a, data.draw(st.integers(a + 1, len(ws))), "T"))
        exs.append(SentenceExample(f"d{g}", i, tuple(ws), tuple(spans), "C"))
    merged = add_document_context(exs, n, "merge")
    assert sum(len(m.spans) for m in merged) == sum(len(e.spans) for e in exs)
    # every merged example is a run of consecutive sentences of one document, joined by breaks
    pos = 0
    for m in merged:
        count = m.words.count(SENTENCE_BREAK) + 1
        members = exs[pos : pos + count]
        pos += count
        assert len({e.doc_id for e in members}) == 1 and m.index == members[0].index
        words, offsets = merged_words([e.words for e in members])
        assert m.words == words
        assert count == 1 or sum(len(e.words) for e in members) <= n
        preds = [(s, e, t, 1.0) for s, e, t in m.spans]
        back, dropped = split_merged_spans(preds, offsets, [len(e.words) for e in members])
        assert dropped == 0
        assert [[(s, e, t) for s, e, t, _ in b] for b in back] == [list(e.spans) for e in members]
    assert pos == len(exs)


def test_a_span_across_a_sentence_break_is_dropped_and_counted() -> None:
    words, offsets = merged_words([("a", "b"), ("c",)])
    assert words == ("a", "b", SENTENCE_BREAK, "c") and offsets == [0, 3]
    back, dropped = split_merged_spans([(1, 4, "T", 0.9), (3, 4, "T", 0.8)], offsets, [2, 1])
    assert dropped == 1 and back == [[], [(0, 1, "T", 0.8)]]
