"""Separate and joined label views of a multi-corpus model's predictions (torch-free).

A head that gives every corpus its own actions predicts corpus-prefixed labels
(``"BC5CDR$Disease"``, ``"NCBI-disease$Disease"``).  A sentence of corpus ``c`` is scored two ways
(SRU-NER, Ruano et al. 2025):

* **separate**: only ``c``'s own actions count (``c$Disease`` -> ``Disease``); a prediction made
  with another corpus's action keeps its prefix, so it never matches gold;
* **joined**: prefixes are stripped on every prediction and duplicates merged, so
  ``NCBI-disease$Disease`` on a BC5CDR sentence counts as ``Disease``.

In both views only the types ``c`` annotates are scored (:func:`score_spans` with ``types=``);
every other prediction is a **global prediction**: counted (by raw label) and never a false
positive, because ``c``'s annotators were not asked to mark it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mosaicner.evaluation.metrics import SpanScores, SpanTriple, macro_average, score_spans

PREFIX_SEP = "$"
# (token_start, token_end, label) or (token_start, token_end, label, score)
AnySpan = tuple[Any, ...]


def split_label(label: str, separator: str = PREFIX_SEP) -> tuple[str | None, str]:
    """``"BC5CDR$Disease"`` -> ``("BC5CDR", "Disease")``; ``"Disease"`` -> ``(None, "Disease")``."""
    prefix, sep, rest = label.partition(separator)
    return (prefix, rest) if sep else (None, label)


def joined_view(spans: Iterable[AnySpan], separator: str = PREFIX_SEP) -> list[SpanTriple]:
    """Strip corpus prefixes and merge duplicates."""
    out = {(int(s[0]), int(s[1]), split_label(str(s[2]), separator)[1]) for s in spans}
    return sorted(out, key=lambda x: (x[0], -x[1], x[2]))


def separate_view(
    spans: Iterable[AnySpan], corpus: str, separator: str = PREFIX_SEP
) -> list[SpanTriple]:
    """Keep the corpus's own predictions bare; other corpora's keep their prefix."""
    out = set()
    for s in spans:
        prefix, bare = split_label(str(s[2]), separator)
        out.add((int(s[0]), int(s[1]), bare if prefix in (None, corpus) else str(s[2])))
    return sorted(out, key=lambda x: (x[0], -x[1], x[2]))


@dataclass
class ViewScores:
    """Scores of one corpus in both views, plus its global predictions."""

    corpus: str
    separate: SpanScores
    joined: SpanScores
    # predictions of types the corpus does not annotate, by raw (prefixed) label
    global_predictions: Counter[str] = field(default_factory=Counter)
    # predictions made with another corpus's action for a type this corpus annotates
    cross_corpus_predictions: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus,
            "separate": self.separate.to_dict(),
            "joined": self.joined.to_dict(),
            "global_predictions": dict(sorted(self.global_predictions.items())),
            "global_predictions_total": sum(self.global_predictions.values()),
            "cross_corpus_predictions": dict(sorted(self.cross_corpus_predictions.items())),
        }


def score_views(
    gold: Sequence[Iterable[SpanTriple]],
    pred_full: Sequence[Iterable[AnySpan]],
    corpus: str,
    types: Collection[str],
    separator: str = PREFIX_SEP,
) -> ViewScores:
    """Score raw (prefixed) predictions of one corpus's sentences in both views.

    ``types`` are the (bare) types the corpus annotates; ``gold`` uses bare labels.
    """
    pred_lists = [list(p) for p in pred_full]
    sep_pred = [separate_view(p, corpus, separator) for p in pred_lists]
    join_pred = [joined_view(p, separator) for p in pred_lists]
    keep = set(types)
    global_preds: Counter[str] = Counter()
    cross: Counter[str] = Counter()
    for p in pred_lists:
        for s in p:
            prefix, bare = split_label(str(s[2]), separator)
            if bare not in keep:
                global_preds[str(s[2])] += 1
            elif prefix not in (None, corpus):
                cross[str(s[2])] += 1
    return ViewScores(
        corpus,
        score_spans(gold, sep_pred, keep),
        score_spans(gold, join_pred, keep),
        global_preds,
        cross,
    )


def macro_views(scores: Mapping[str, ViewScores]) -> dict[str, dict[str, float]]:
    """Unweighted mean over corpora of micro P/R/F1, per view."""
    return {
        "separate": macro_average({c: v.separate for c, v in scores.items()}),
        "joined": macro_average({c: v.joined for c, v in scores.items()}),
    }


def map_types(
    spans: Iterable[AnySpan], type_map: Mapping[str, str | None], separator: str = PREFIX_SEP
) -> list[SpanTriple]:
    """Cross-corpus evaluation: joined view, then ``model_type -> corpus_type`` (``None`` drops).

    Types absent from the map are kept unchanged (and ignored by scoring when the corpus does not
    annotate them).
    """
    out = set()
    for s, e, label in joined_view(spans, separator):
        new = type_map.get(label, label)
        if new is not None:
            out.add((s, e, new))
    return sorted(out, key=lambda x: (x[0], -x[1], x[2]))


def score_cross_corpus(
    gold: Sequence[Iterable[SpanTriple]],
    pred_full: Sequence[Iterable[AnySpan]],
    types: Collection[str],
    type_map: Mapping[str, str | None] | None = None,
    separator: str = PREFIX_SEP,
) -> SpanScores:
    """Score a model on a corpus it never saw: its predictions (any corpus's actions, prefixes
    stripped) are mapped to the corpus's types, and only the types it annotates are scored."""
    mapped = [map_types(p, type_map or {}, separator) for p in pred_full]
    return score_spans(gold, mapped, types)


__all__ = [
    "PREFIX_SEP",
    "ViewScores",
    "joined_view",
    "macro_views",
    "map_types",
    "score_cross_corpus",
    "score_views",
    "separate_view",
    "split_label",
]
