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

* ``merge``: the same windows, but each becomes **one** example: its sentences joined by a
  sentence-break word (:data:`SENTENCE_BREAK`, which the encoder reads as its separator token),
  labelled and decoded as one sequence, spans shifted to window offsets.  This is SRU-NER's
  sentence merging (sentences packed with ``[SEP]`` words, train, dev and test alike); the
  tagger merges raw-text sentences the same way and maps the spans back to their sentences.

Context never crosses a document boundary and is never labelled; the encoder trims it further
when the sentence and its context do not fit one window
(:class:`mosaicner.encoders.TransformerEncoder`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace
from typing import Any, Literal

from mosaicner.data.model import SentenceExample

Context = tuple[tuple[str, ...], tuple[str, ...]]
ContextMode = Literal["neighbours", "window", "merge"]
CONTEXT_MODES: tuple[str, ...] = ("neighbours", "window", "merge")
#: the word placed between merged sentences; the encoder gives it its separator token
SENTENCE_BREAK = "\u2029[SENTENCE-BREAK]"


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
    out: list[Context] = []
    for i, j in window_groups([len(s) for s in sentences], groups, n_words):
        for k in range(i, j):
            left = tuple(w for s in sentences[i:k] for w in s)
            right = tuple(w for s in sentences[k + 1 : j] for w in s)
            out.append((left, right))
    return out


def window_groups(
    lengths: Sequence[int], groups: Sequence[Hashable], n_words: int
) -> list[tuple[int, int]]:
    """Consecutive runs ``[i, j)`` of items with the same group key whose lengths sum to at most
    ``n_words`` (greedy; an item longer than that is a run of its own)."""
    if len(lengths) != len(groups):
        raise ValueError("one group key per sentence is needed")
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(lengths):
        j = i + 1
        size = lengths[i]
        while j < len(lengths) and groups[j] == groups[i] and size + lengths[j] <= n_words:
            size += lengths[j]
            j += 1
        runs.append((i, j))
        i = j
    return runs


def merged_words(parts: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], list[int]]:
    """Sentences joined by :data:`SENTENCE_BREAK`, and the offset of each in the result."""
    words: list[str] = []
    offsets: list[int] = []
    for k, part in enumerate(parts):
        if k:
            words.append(SENTENCE_BREAK)
        offsets.append(len(words))
        words.extend(part)
    return tuple(words), offsets


def merge_examples(examples: Sequence[SentenceExample], n_words: int) -> list[SentenceExample]:
    """Consecutive sentences of a document (corpus and document id) packed into windows of at
    most ``n_words`` words, each window **one** example (sentences joined by
    :data:`SENTENCE_BREAK`, spans shifted, the index of its first sentence).  Nothing is lost:
    every span lies inside its sentence, which lies whole inside one window."""
    if n_words <= 0:
        return list(examples)
    runs = window_groups(
        [len(ex.words) for ex in examples], [(ex.corpus, ex.doc_id) for ex in examples], n_words
    )
    out: list[SentenceExample] = []
    for i, j in runs:
        members = examples[i:j]
        if len(members) == 1:
            out.append(members[0])
            continue
        words, offsets = merged_words([ex.words for ex in members])
        spans = tuple(
            (s + off, e + off, t)
            for ex, off in zip(members, offsets, strict=True)
            for s, e, t in ex.spans
        )
        first = members[0]
        out.append(replace(first, words=words, spans=spans, left=(), right=()))
    return out


def split_merged_spans(
    spans: Sequence[tuple[Any, ...]], offsets: Sequence[int], lengths: Sequence[int]
) -> tuple[list[list[tuple[Any, ...]]], int]:
    """Spans ``(start, end, ...)`` predicted on a merged window, back in the offsets of its
    sentences (``offsets`` and ``lengths`` of each; the rest of each tuple kept), and how many
    were dropped because they cross a sentence break."""
    out: list[list[tuple[Any, ...]]] = [[] for _ in offsets]
    dropped = 0
    for span in spans:
        s, e = int(span[0]), int(span[1])
        for k, (off, n) in enumerate(zip(offsets, lengths, strict=True)):
            if off <= s and e <= off + n:
                out[k].append((s - off, e - off, *span[2:]))
                break
        else:
            dropped += 1
    return out, dropped


def document_context(
    sentences: Sequence[Sequence[str]],
    groups: Sequence[Hashable],
    n_words: int,
    mode: str = "neighbours",
) -> list[Context]:
    """``(left, right)`` context of each sentence in ``mode`` (see the module docstring)."""
    if mode == "window":
        return window_context(sentences, groups, n_words)
    if mode == "merge":
        return [((), ())] * len(sentences)  # merged examples read their window as words
    if mode == "neighbours":
        return neighbour_context(sentences, groups, n_words)
    raise ValueError(f"unknown context mode {mode!r} (expected one of {CONTEXT_MODES})")


def add_document_context(
    examples: Sequence[SentenceExample], n_words: int, mode: str = "neighbours"
) -> list[SentenceExample]:
    """The examples (in document order) with ``left``/``right`` context from their documents
    (``merge``: fewer examples, each a window of sentences; see :func:`merge_examples`)."""
    if n_words <= 0:
        return list(examples)
    if mode == "merge":
        return merge_examples(examples, n_words)
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
    "SENTENCE_BREAK",
    "Context",
    "ContextMode",
    "add_document_context",
    "context_keys",
    "context_lengths",
    "document_context",
    "example_contexts",
    "merge_examples",
    "merged_words",
    "neighbour_context",
    "split_merged_spans",
    "window_context",
    "window_groups",
]
