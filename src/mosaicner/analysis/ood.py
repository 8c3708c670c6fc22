"""Out-of-domain predictions for human review (torch-free).

A multi-corpus model predicts, on a corpus's sentences, types that corpus never annotated (a
species model's mentions on a chemical corpus, say).  Scoring ignores them ("global
predictions"), so only a person can say whether they are right.  This module collects every
such prediction with its sentence and the sentence's gold mentions, and writes them as TSV or
JSON Lines for annotators (SRU-NER's human assessment protocol, Ruano et al. 2025).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mosaicner.data.model import SentenceExample
from mosaicner.evaluation.views import PREFIX_SEP, split_label


@dataclass(frozen=True)
class OODPrediction:
    """One prediction of a type the sentence's corpus does not annotate."""

    corpus: str
    doc_id: str
    sentence_index: int
    token_start: int
    token_end: int
    mention: str
    type: str
    label: str  # raw label (corpus-prefixed when the head keeps corpora apart)
    score: float
    sentence: str
    gold: str  # the sentence's gold mentions, "start-end:type:text; ..."
    overlaps_gold: bool
    judgement: str = ""  # left empty for the reviewer


TSV_FIELDS = [
    "corpus",
    "doc_id",
    "sentence_index",
    "token_start",
    "token_end",
    "mention",
    "type",
    "label",
    "score",
    "overlaps_gold",
    "judgement",
    "sentence",
    "gold",
]


def collect_ood(
    examples: Sequence[SentenceExample],
    predictions: Sequence[Iterable[tuple[Any, ...]]],
    annotated_types: Collection[str],
    *,
    separator: str = PREFIX_SEP,
    min_score: float = 0.0,
) -> list[OODPrediction]:
    """Predictions whose (prefix-stripped) type is not in ``annotated_types``.

    ``predictions[i]`` are ``(token_start, token_end, label[, score])`` for ``examples[i]``.
    """
    if len(examples) != len(predictions):
        raise ValueError(f"{len(examples)} examples but {len(predictions)} prediction lists")
    keep = set(annotated_types)
    out: list[OODPrediction] = []
    for ex, preds in zip(examples, predictions, strict=True):
        gold_text = "; ".join(
            f"{s}-{e}:{lab}:{' '.join(ex.words[s:e])}" for s, e, lab in sorted(ex.spans)
        )
        seen: set[tuple[int, int, str]] = set()
        for p in preds:
            s, e, label = int(p[0]), int(p[1]), str(p[2])
            score = float(p[3]) if len(p) > 3 else 1.0
            bare = split_label(label, separator)[1]
            if bare in keep or score < min_score or (s, e, label) in seen:
                continue
            seen.add((s, e, label))
            overlaps = any(gs < e and s < ge for gs, ge, _ in ex.spans)
            out.append(
                OODPrediction(
                    corpus=ex.corpus,
                    doc_id=ex.doc_id,
                    sentence_index=ex.index,
                    token_start=s,
                    token_end=e,
                    mention=" ".join(ex.words[s:e]),
                    type=bare,
                    label=label,
                    score=round(score, 4),
                    sentence=" ".join(ex.words),
                    gold=gold_text,
                    overlaps_gold=overlaps,
                )
            )
    return out


def _tsv_cell(value: object) -> str:
    return str(value).replace("\t", " ").replace("\n", " ")


def write_ood(records: Sequence[OODPrediction], path: str | Path) -> Path:
    """Write records as JSON Lines (``.jsonl``/``.json``) or TSV (anything else)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix.lower() in (".jsonl", ".json"):
        text = "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records)
    else:
        rows = ["\t".join(TSV_FIELDS)]
        for r in records:
            d = asdict(r)
            rows.append("\t".join(_tsv_cell(d[f]) for f in TSV_FIELDS))
        text = "\n".join(rows) + "\n"
    p.write_text(text, encoding="utf-8")
    return p


def summarize_ood(records: Sequence[OODPrediction]) -> dict[str, dict[str, int]]:
    """Counts per corpus and type."""
    out: dict[str, dict[str, int]] = {}
    for r in records:
        per = out.setdefault(r.corpus, {})
        per[r.type] = per.get(r.type, 0) + 1
    return out


__all__ = ["TSV_FIELDS", "OODPrediction", "collect_ood", "summarize_ood", "write_ood"]
