"""Prediction and scoring of sentence examples: the one code path used by periodic dev
evaluation, the final figures printed at the end of training and ``mosaicner evaluate``.

Batches are formed deterministically (sorted by length under a word budget) and the model runs
under ``torch.inference_mode``, so the same model, corpus and settings give identical figures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from mosaicner.data.batching import EVAL_MAX_WORDS, make_batches
from mosaicner.data.context import context_keys, context_lengths
from mosaicner.data.model import SentenceExample
from mosaicner.errors import ConfigError, MissingFileError
from mosaicner.evaluation import evaluation_report, score_spans

PredSpans = list[tuple[int, int, str, float]]


def predict_examples(
    model: Any,
    examples: Sequence[SentenceExample],
    max_words: int = EVAL_MAX_WORDS,
    route_as: str | None = None,
) -> list[PredSpans]:
    """Predicted spans per example, in input order.

    ``route_as`` sends every example through the head of that (trained) corpus instead of the
    head its own ``corpus`` routes to (used to score a model on a corpus it never saw).
    """
    if not examples:
        return []
    exs = [replace(ex, corpus=route_as) for ex in examples] if route_as else list(examples)
    # sentences packed into one document window are scored in one batch (one encoder pass)
    lengths = context_lengths(exs)
    keys = context_keys(exs)
    out: list[PredSpans | None] = [None] * len(exs)
    was_training = bool(getattr(model, "training", False))
    model.eval()
    with torch.inference_mode():
        for batch in make_batches(lengths, max_words, keys=keys):
            preds = model.predict([exs[i] for i in batch])
            for i, spans in zip(batch, preds, strict=True):
                out[i] = [(int(s[0]), int(s[1]), str(s[2]), float(s[3])) for s in spans]
    if was_training:
        model.train()
    return [p if p is not None else [] for p in out]


def apply_type_map(
    preds: Sequence[PredSpans], type_map: Mapping[str, str | None] | None
) -> list[PredSpans]:
    """Rename predicted types (``model_type -> corpus_type``; ``None`` drops the type).

    Types absent from the map are kept as they are (and then ignored by scoring when the corpus
    does not annotate them).
    """
    if not type_map:
        return [list(p) for p in preds]
    out: list[PredSpans] = []
    for spans in preds:
        row: PredSpans = []
        seen: set[tuple[int, int, str]] = set()
        for ts, te, label, score in spans:
            new = type_map.get(label, label)
            if new is None or (ts, te, new) in seen:
                continue
            seen.add((ts, te, new))
            row.append((ts, te, new, score))
        out.append(row)
    return out


def load_type_map(spec: str | Path | Mapping[str, Any] | None) -> dict[str, str | None] | None:
    """A type map from a dict, a YAML/JSON file (a flat dict, or a dict under ``map:``)."""
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        data: Any = dict(spec)
    else:
        path = Path(spec)
        if not path.is_file():
            raise MissingFileError(
                "type map file not found",
                file=path,
                hint="a YAML or JSON dict model_type: corpus_type (null drops a type)",
            )
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if isinstance(data, Mapping) and isinstance(data.get("map"), Mapping):
        data = data["map"]
    if not isinstance(data, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        raise ConfigError(
            "a type map must be a dict of model_type: corpus_type (or null)",
            file=None if isinstance(spec, Mapping) else str(spec),
        )
    return {str(k): (None if v is None else str(v)) for k, v in data.items()}


def gold_triples(examples: Sequence[SentenceExample]) -> list[list[tuple[int, int, str]]]:
    """Gold spans of each example as ``(token_start, token_end, type)``."""
    return [[(int(a), int(b), str(c)) for a, b, c in ex.spans] for ex in examples]


def quick_f1(
    model: Any,
    examples: Sequence[SentenceExample],
    types: Sequence[str],
    max_words: int = EVAL_MAX_WORDS,
) -> dict[str, float]:
    """Micro P/R/F1 (fractions) without bootstrap: periodic dev evaluation."""
    preds = predict_examples(model, examples, max_words)
    scores = score_spans(gold_triples(examples), [[s[:3] for s in p] for p in preds], types)
    return {
        "precision": scores.micro.precision,
        "recall": scores.micro.recall,
        "f1": scores.micro.f1,
    }


def evaluate_examples(
    model: Any,
    examples: Sequence[SentenceExample],
    types: Sequence[str],
    *,
    corpus: str,
    split: str,
    max_words: int = EVAL_MAX_WORDS,
    route_as: str | None = None,
    type_map: Mapping[str, str | None] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """The full report of one corpus split (micro, per type, 95% bootstrap CI, overlap)."""
    preds = apply_type_map(predict_examples(model, examples, max_words, route_as), type_map)
    return evaluation_report(
        corpus,
        split,
        gold_triples(examples),
        [[s[:3] for s in p] for p in preds],
        list(types),
        n_resamples=n_resamples,
        seed=seed,
    )


def dev_scores(
    model: Any, data: Mapping[str, Any], corpora: Sequence[str], max_words: int = EVAL_MAX_WORDS
) -> dict[str, Any]:
    """Dev F1 of each corpus of ``corpora`` that has a dev set (``data``: name ->
    :class:`~mosaicner.training.data.PreparedCorpus`) and their macro average."""
    per: dict[str, float] = {}
    for name in corpora:
        pc = data[name]
        dev = pc.examples("dev")
        if not dev:
            continue
        per[name] = quick_f1(model, dev, pc.labels, max_words)["f1"]
    macro = float(np.mean(list(per.values()))) if per else float("nan")
    return {"per_corpus": per, "macro": macro}


__all__ = [
    "apply_type_map",
    "evaluate_examples",
    "gold_triples",
    "load_type_map",
    "predict_examples",
    "quick_f1",
]
