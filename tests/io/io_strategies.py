"""Hypothesis strategies shared by the io tests: random tokenised documents with spans."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mosaicner.data.model import Document, Span, span_sort_key

LABELS = ("Chemical", "Disease", "Gene", "protein")
WORD = st.text(alphabet=st.sampled_from("abcXYZ019-().,;é"), min_size=1, max_size=6)


@st.composite
def sentence(draw: st.DrawFn, *, nested: bool) -> tuple[list[str], list[tuple[int, int, str]]]:
    words = draw(st.lists(WORD, min_size=1, max_size=8))
    n = len(words)
    spans: set[tuple[int, int, str]] = set()
    if nested:
        for _ in range(draw(st.integers(0, 4))):
            s = draw(st.integers(0, n - 1))
            e = draw(st.integers(s + 1, n))
            spans.add((s, e, draw(st.sampled_from(LABELS))))
    else:
        pos = 0
        while pos < n and draw(st.booleans()):
            s = draw(st.integers(pos, n - 1))
            e = draw(st.integers(s + 1, n))
            spans.add((s, e, draw(st.sampled_from(LABELS))))
            pos = e + draw(st.integers(0, 1))
    return words, sorted(spans)


@st.composite
def documents(
    draw: st.DrawFn, *, nested: bool = False, max_docs: int = 3, proper: bool = False
) -> list[Document]:
    """1..max_docs documents with 1..3 sentences; ``proper`` keeps spans nested or disjoint."""
    docs = []
    for d in range(draw(st.integers(1, max_docs))):
        sents = draw(st.lists(sentence(nested=nested), min_size=1, max_size=3))
        spans = []
        for _, sp in sents:
            if proper:
                kept: list[tuple[int, int, str]] = []
                for s in sorted(sp, key=lambda x: (x[0], -x[1])):
                    if all(not (a < s[0] < b < s[1]) for a, b, _ in kept):
                        kept.append(s)
                sp = kept
            spans.append(sp)
        docs.append(Document.from_sentences(f"doc{d}", [w for w, _ in sents], spans))
    return docs


def token_view(
    docs: list[Document],
) -> list[tuple[tuple[str, ...], tuple[tuple[int, int, str], ...]]]:
    """Sentence words and sentence-local spans of every document, for comparisons."""
    return [(ex.words, tuple(sorted(ex.spans))) for doc in docs for ex in doc.sentence_examples()]


@st.composite
def char_documents(
    draw: st.DrawFn,
    *,
    newlines: bool = True,
    fragments: bool = True,
    max_docs: int = 3,
) -> list[Document]:
    """Raw-text documents (no tokens) with arbitrary, possibly nested character spans."""
    docs = []
    for d in range(draw(st.integers(1, max_docs))):
        words = draw(st.lists(WORD, min_size=1, max_size=10))
        seps = [draw(st.sampled_from([" ", " ", ". ", "\n"] if newlines else [" ", ". "]))
                for _ in words[1:]]  # fmt: skip
        text = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
        n = len(text)
        spans: list[Span] = []
        for _ in range(draw(st.integers(0, 4))):
            s = draw(st.integers(0, n - 1))
            e = draw(st.integers(s + 1, n))
            label = draw(st.sampled_from(LABELS))
            attrs = draw(st.sampled_from([{}, {"identifier": "MESH:D001"}]))
            frags: tuple[tuple[int, int], ...] = ()
            if fragments and e - s >= 3 and draw(st.booleans()):
                m = draw(st.integers(s + 1, e - 2))
                frags = ((s, m), (m + 1, e))
            spans.append(Span(s, e, label, attrs=attrs, fragments=frags))
        docs.append(
            Document(f"d{d}", text, spans={"gold": tuple(sorted(spans, key=span_sort_key))})
        )
    return docs


def char_view(docs: list[Document]) -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    """Text and character spans (with fragments and identifier) of every document."""
    return [
        (
            d.id,
            d.text,
            sorted(
                (s.start, s.end, s.label, s.fragments, s.attrs.get("identifier", ""))
                for s in d.layer()
            ),
        )
        for d in docs
    ]
