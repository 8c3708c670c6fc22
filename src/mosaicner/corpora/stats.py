"""Corpus statistics with the definitions of the shared corpora's MANIFEST.md.

* a **sentence** is a non-empty sentence (``-DOCSTART-`` lines are neither sentences nor tokens:
  the conll reader turns them into document boundaries);
* **mentions** are the spans of the ``gold`` layer, counted per label;
* a mention is **nested** when it lies strictly inside another mention of the same sentence
  (the other span contains it and has different boundaries; a span carrying two labels is not
  nested in itself);
* **depth** of a mention is 1 + the number of distinct spans that strictly contain it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mosaicner.corpora.load import read_split
from mosaicner.corpora.resolve import ResolvedCorpus, resolve_corpus
from mosaicner.data.model import GOLD, Corpus, Document, Span


@dataclass
class SplitStats:
    """Counts of one split: documents, sentences, tokens, mentions per type, nesting."""

    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    mentions: Counter[str] = field(default_factory=Counter)
    nested_mentions: int = 0
    max_depth: int = 0
    multi_label_spans: int = 0

    @property
    def total_mentions(self) -> int:
        """Mentions of every type."""
        return sum(self.mentions.values())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``mosaicner corpora stats --format json`` (extras left out)."""
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "mentions": dict(sorted(self.mentions.items())),
            "nested_mentions": self.nested_mentions,
        }


@dataclass
class CorpusStats:
    """Counts per split of one corpus (``mosaicner corpora stats``)."""

    corpus: str
    splits: dict[str, SplitStats] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"corpus": self.corpus, "splits": {k: v.to_dict() for k, v in self.splits.items()}}


def nesting(spans: Sequence[Span]) -> tuple[int, int, int]:
    """(nested mentions, max depth, spans with more than one label) for one sentence/document.

    ``O(n log n)`` for the nested count: distinct boundaries sorted by (start, -end); a boundary is
    strictly inside another iff some earlier distinct boundary reaches at least as far.
    """
    if not spans:
        return 0, 0, 0
    per_boundary = Counter((sp.start, sp.end) for sp in spans)
    bounds = sorted(per_boundary, key=lambda b: (b[0], -b[1]))
    nested = 0
    max_end = -1
    stack: list[int] = []  # ends of the open enclosing boundaries
    max_depth = 0
    for start, end in bounds:
        if max_end >= end:
            nested += per_boundary[(start, end)]
        max_end = max(max_end, end)
        while stack and stack[-1] <= start:
            stack.pop()
        # boundaries are never crossing in well-formed data; for crossing ones the depth is a
        # lower bound, which is all the table needs
        while stack and stack[-1] < end:
            stack.pop()
        stack.append(end)
        max_depth = max(max_depth, len(stack))
    multi = sum(1 for n in per_boundary.values() if n > 1)
    return nested, max_depth, multi


def document_stats(docs: Iterable[Document], layer: str = GOLD) -> SplitStats:
    """Counts over ``docs`` (spans of ``layer``; nested mentions counted)."""
    st = SplitStats()
    for doc in docs:
        st.documents += 1
        st.tokens += len(doc.tokens)
        st.sentences += sum(1 for s in doc.sentences if s.token_end > s.token_start)
        spans = doc.layer(layer)
        st.mentions.update(sp.label for sp in spans)
        if not spans:
            continue
        # nesting is counted per sentence: group spans by the sentence holding their start
        if doc.sentences and all(sp.token_start is not None for sp in spans):
            groups: dict[int, list[Span]] = {}
            sent_starts = [s.token_start for s in doc.sentences]
            for sp in spans:
                assert sp.token_start is not None
                idx = bisect.bisect_right(sent_starts, sp.token_start) - 1
                groups.setdefault(idx, []).append(sp)
            parts: Iterable[list[Span]] = groups.values()
        else:
            parts = [list(spans)]
        for group in parts:
            n, depth, multi = nesting(group)
            st.nested_mentions += n
            st.max_depth = max(st.max_depth, depth)
            st.multi_label_spans += multi
    return st


def corpus_stats(corpus: Corpus, layer: str = GOLD) -> CorpusStats:
    """Statistics of an already loaded corpus."""
    return CorpusStats(
        corpus.name, {name: document_stats(docs, layer) for name, docs in corpus.splits.items()}
    )


def stats_for(
    name_or_path: str | Path | ResolvedCorpus,
    splits: Iterable[str] | None = None,
    *,
    data_directory: str | Path | None = None,
    format: str | None = None,
    **read_options: Any,
) -> CorpusStats:
    """Statistics of a corpus on disk, reading one split at a time (low memory)."""
    resolved = (
        name_or_path
        if isinstance(name_or_path, ResolvedCorpus)
        else resolve_corpus(name_or_path, data_directory=data_directory, format=format)
    )
    wanted = list(splits) if splits is not None else list(resolved.files)
    for split in wanted:
        resolved.path(split)
    out = CorpusStats(resolved.name)
    for split in wanted:
        docs, _ = read_split(resolved, split, **read_options)
        out.splits[split] = document_stats(docs)
    return out


__all__ = ["CorpusStats", "SplitStats", "corpus_stats", "document_stats", "nesting", "stats_for"]
