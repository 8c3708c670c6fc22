"""Which types may label the same or nearly the same span: computed from gold data.

A pair of types ``(A, B)`` is *allowed* when some training corpus annotates an ``A`` span and a
``B`` span that are the same or nearly the same span (:func:`~.policies.near_same`, the same
relation the merge uses): GENIA nests ``protein`` inside ``DNA`` ("IL-2" in "IL-2 gene"), so
``(DNA, Gene_or_protein)`` is allowed; no corpus puts ``Chemical`` and ``Gene_or_protein`` on
one span, so a Chemical head and a gene head both claiming "PPARa" is a conflict.  Flat corpora
contribute nothing (they never annotate overlapping spans); the table therefore only ever
*allows* pairs that real annotations show together.

The table is computed from the training split of each corpus after its label map (canonical
types) and stored in the model folder's ``merge.json`` (:mod:`.config`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from mosaicner.merge.policies import (
    DEFAULT_MAX_TOKEN_SHIFT,
    DEFAULT_MIN_JACCARD,
    Candidate,
    Cooccurrence,
    near_same,
)

TokenSpan = tuple[int, int, str]


def count_pairs(
    sentences: Iterable[Sequence[TokenSpan]],
    *,
    max_token_shift: int = DEFAULT_MAX_TOKEN_SHIFT,
    min_jaccard: float = DEFAULT_MIN_JACCARD,
) -> Counter[tuple[str, str]]:
    """Count, over sentences of token spans, the type pairs found on (nearly) the same span."""
    counts: Counter[tuple[str, str]] = Counter()
    for spans in sentences:
        items = [Candidate(s, e, lab, "", 1.0, s, e) for s, e, lab in spans]
        items.sort(key=lambda c: (c.start, c.end, c.label))
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.label == b.label:
                    continue
                if near_same(a, b, max_token_shift=max_token_shift, min_jaccard=min_jaccard):
                    counts[(min(a.label, b.label), max(a.label, b.label))] += 1
    return counts


def cooccurrence_from_sentences(
    sentences: Iterable[Sequence[TokenSpan]], *, min_count: int = 1, **near: float
) -> tuple[Cooccurrence, dict[str, int]]:
    """The allowed pairs (seen at least ``min_count`` times) and the counts behind them."""
    counts = count_pairs(sentences, **near)  # type: ignore[arg-type]
    allowed = [p for p, n in counts.items() if n >= min_count]
    return Cooccurrence.from_pairs(allowed), {f"{a}|{b}": n for (a, b), n in sorted(counts.items())}


__all__ = ["TokenSpan", "cooccurrence_from_sentences", "count_pairs"]
