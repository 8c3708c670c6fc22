"""Document context for sentence-level models (torch-free).

A sentence is labelled on its own, but the encoder may read the words around it: up to
``n_words`` words of the same document on each side (the nearest ones), taken from the
neighbouring sentences.  Context never crosses a document boundary and is never labelled; the
encoder trims it further when the sentence and its context do not fit one window
(:class:`mosaicner.encoders.TransformerEncoder`).  This is how SRU-NER reads GENIA: sentences
inside windows of their abstract.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace

from mosaicner.data.model import SentenceExample

Context = tuple[tuple[str, ...], tuple[str, ...]]


def neighbour_context(
    sentences: Sequence[Sequence[str]], groups: Sequence[Hashable], n_words: int
) -> list[Context]:
    """``(left, right)`` context words of each sentence: up to ``n_words`` each side from the
    adjacent sentences with the same group (document) key, in the given order."""
    if len(sentences) != len(groups):
        raise ValueError("one group key per sentence is needed")
    out: list[Context] = []
    for i in range(len(sentences)):
        left: list[str] = []
        j = i - 1
        while n_words > 0 and j >= 0 and groups[j] == groups[i] and len(left) < n_words:
            left[:0] = sentences[j][max(0, len(sentences[j]) - (n_words - len(left))) :]
            j -= 1
        right: list[str] = []
        j = i + 1
        while n_words > 0 and j < len(sentences) and groups[j] == groups[i]:
            if len(right) >= n_words:
                break
            right.extend(sentences[j][: n_words - len(right)])
            j += 1
        out.append((tuple(left), tuple(right)))
    return out


def add_document_context(
    examples: Sequence[SentenceExample], n_words: int
) -> list[SentenceExample]:
    """The examples (in document order) with ``left``/``right`` context from their documents."""
    if n_words <= 0:
        return list(examples)
    ctx = neighbour_context(
        [ex.words for ex in examples], [(ex.corpus, ex.doc_id) for ex in examples], n_words
    )
    return [replace(ex, left=lt, right=rt) for ex, (lt, rt) in zip(examples, ctx, strict=True)]


def example_contexts(examples: Sequence[SentenceExample]) -> list[Context] | None:
    """The examples' ``(left, right)`` contexts, or None when none of them has any."""
    if not any(ex.left or ex.right for ex in examples):
        return None
    return [(ex.left, ex.right) for ex in examples]


__all__ = ["Context", "add_document_context", "example_contexts", "neighbour_context"]
