"""SRU-NER views of a trained model: ``mosaicner views`` and ``mosaicner ood``.

* :func:`score_sru_views` scores a model with a shared SRU head on a corpus split in the
  *separate* and *joined* views and counts its global predictions (types the corpus does not
  annotate); for a corpus the model never saw, ``type_map`` maps the model's (joined) types to
  the corpus's, and only the types the corpus annotates are scored.
* :func:`export_ood` writes every prediction of a type the corpus does not annotate, with its
  sentence and gold mentions, as TSV or JSONL for human review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mosaicner.training.run import LoadedModel, corpus_examples, load_trained


def _loaded(model: str | Path | LoadedModel) -> LoadedModel:
    return model if isinstance(model, LoadedModel) else load_trained(model)


def score_sru_views(
    model: str | Path | LoadedModel,
    corpus: str,
    split: str = "test",
    *,
    type_map: str | None = None,
    label_map: str | None = None,
    data_format: str | None = None,
) -> dict[str, Any]:
    """Separate / joined (or cross-corpus) scores and global predictions on a corpus split."""
    from mosaicner.evaluation.views import score_cross_corpus, score_views
    from mosaicner.heads.sru import predict_raw
    from mosaicner.training.evaluate import load_type_map

    loaded = _loaded(model)
    data = corpus_examples(loaded, corpus, split, label_map, data_format)
    key, types = data.key, data.types
    gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in data.examples]
    raw = predict_raw(loaded.model, [replace(ex, corpus=key) for ex in data.examples])
    tmap = load_type_map(type_map)
    result: dict[str, Any] = {"corpus": key, "split": split, "types": types, "seen": data.seen}
    if data.seen and not tmap:
        result.update(score_views(gold, raw, key, types).to_dict())
    else:
        result["cross_corpus"] = score_cross_corpus(gold, raw, types, tmap).to_dict()
    return result


@dataclass
class OODExport:
    """What :func:`export_ood` wrote."""

    corpus: str
    split: str
    sentences: int
    predictions: int
    output: Path
    by_type: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "corpus": self.corpus,
            "split": self.split,
            "sentences": self.sentences,
            "predictions": self.predictions,
            "output": str(self.output),
            "by_type": self.by_type,
        }

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.predictions} out-of-domain predictions on {self.sentences} sentences of "
            f"{self.corpus} {self.split} -> {self.output}; by type: {json.dumps(self.by_type)}"
        )


def export_ood(
    model: str | Path | LoadedModel,
    corpus: str,
    output: str | Path,
    *,
    split: str = "test",
    min_score: float = 0.0,
    label_map: str | None = None,
    data_format: str | None = None,
) -> OODExport:
    """Write the predictions of types ``corpus`` does not annotate (``.tsv`` or ``.jsonl``)."""
    from mosaicner.analysis.ood import collect_ood, summarize_ood, write_ood
    from mosaicner.heads.sru import predict_raw

    loaded = _loaded(model)
    data = corpus_examples(loaded, corpus, split, label_map, data_format)
    examples = [replace(ex, corpus=data.key) for ex in data.examples]
    raw = predict_raw(loaded.model, examples)
    records = collect_ood(examples, raw, data.types, min_score=min_score)
    write_ood(records, output)
    by_type = summarize_ood(records).get(data.key, {})
    return OODExport(data.key, split, len(examples), len(records), Path(output), by_type)


__all__ = ["OODExport", "export_ood", "score_sru_views"]
