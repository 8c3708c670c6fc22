"""Document context for sentence-level models (torch-free).

A sentence is labelled on its own, but the encoder may read the words around it.  Two ways:

* ``neighbours``: up to ``n_words`` words of the same document on each side (the nearest
  ones), taken from the neighbouring sentences: every sentence gets its own context, so each
  is encoded with its context (``1 + 2 n_words / length`` times the subwords);
* ``window``: consecutive sentences of a document are packed into windows of at most
  ``n_words`` words (a sentence is never cut; one longer than the budget is a window alone),
  and every sentence of a window reads the whole window.  All sentences of a window share one
  encoder input, which the encoder runs once per batch and the batcher keeps together
  (:func:`context_keys`), so context costs little more than the sentences themselves.  This is
  how SRU-NER reads GENIA: the sentences of an abstract inside one encoder window.

Context never crosses a document boundary and is never labelled; the encoder trims it further
when the sentence and its context do not fit one window
(:class:`mosaicner.encoders.TransformerEncoder`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace
from typing import Literal

from mosaicner.data.model import SentenceExample

Context = tuple[tuple[str, ...], tuple[str, ...]]
ContextMode = Literal["neighbours", "window"]
CONTEXT_MODES: tuple[str, ...] = ("neighbours", "window")


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


def window_context(
    sentences: Sequence[Sequence[str]], groups: Sequence[Hashable], n_words: int
) -> list[Context]:
    """``(left, right)`` context of each sentence when consecutive sentences with the same group
    (document) key are packed greedily into windows of at most ``n_words`` words: the words of
    the sentences before and after it in its window.  All sentences of a window therefore read
    the same word sequence (``left + words + right``)."""
    if len(sentences) != len(groups):
        raise ValueError("one group key per sentence is needed")
    out: list[Context] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        size = len(sentences[i])
        while j < len(sentences) and groups[j] == groups[i] and size + len(sentences[j]) <= n_words:
            size += len(sentences[j])
            j += 1
        for k in range(i, j):
            left = tuple(w for s in sentences[i:k] for w in s)
            right = tuple(w for s in sentences[k + 1 : j] for w in s)
            out.append((left, right))
        i = j
    return out


def document_context(
    sentences: Sequence[Sequence[str]],
    groups: Sequence[Hashable],
    n_words: int,
    mode: str = "neighbours",
) -> list[Context]:
    """``(left, right)`` context of each sentence in ``mode`` (see the module docstring)."""
    if mode == "window":
        return window_context(sentences, groups, n_words)
    if mode == "neighbours":
        return neighbour_context(sentences, groups, n_words)
    raise ValueError(f"unknown context mode {mode!r} (expected one of {CONTEXT_MODES})")


def add_document_context(
    examples: Sequence[SentenceExample], n_words: int, mode: str = "neighbours"
) -> list[SentenceExample]:
    """The examples (in document order) with ``left``/``right`` context from their documents."""
    if n_words <= 0:
        return list(examples)
    ctx = document_context(
        [ex.words for ex in examples],
        [(ex.corpus, ex.doc_id) for ex in examples],
        n_words,
        mode,
    )
    return [replace(ex, left=lt, right=rt) for ex, (lt, rt) in zip(examples, ctx, strict=True)]


def context_keys(examples: Sequence[SentenceExample]) -> list[Hashable] | None:
    """One key per example such that examples with equal keys read the same encoder input
    (same document, same ``left + words + right``): batches keep them together and count that
    input once.  None when no example has context (every sentence is its own input)."""
    if not any(ex.left or ex.right for ex in examples):
        return None
    return [(ex.corpus, ex.doc_id, ex.left + ex.words + ex.right) for ex in examples]


def context_lengths(examples: Sequence[SentenceExample]) -> list[int]:
    """Words each example's encoder input holds (its context included; at least 1)."""
    return [max(1, len(ex.left) + len(ex.words) + len(ex.right)) for ex in examples]


def example_contexts(examples: Sequence[SentenceExample]) -> list[Context] | None:
    """The examples' ``(left, right)`` contexts, or None when none of them has any."""
    if not any(ex.left or ex.right for ex in examples):
        return None
    return [(ex.left, ex.right) for ex in examples]


__all__ = [
    "CONTEXT_MODES",
    "Context",
    "ContextMode",
    "add_document_context",
    "context_keys",
    "context_lengths",
    "document_context",
    "example_contexts",
    "neighbour_context",
    "window_context",
]
