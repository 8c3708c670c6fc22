"""Two flat views of a nested corpus (``view`` + ``alias``): two CRF heads, nested output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mosaicner.errors import ConfigError
from mosaicner.training.config import config_from_dict
from mosaicner.training.run import evaluate_corpus, load_trained, train_and_evaluate


def _nested_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    lines = [
        {
            "tokens": ["IL-2", "gene", "expression", "rises"],
            "entity_mentions": [
                {"start": 0, "end": 2, "entity_type": "DNA"},
                {"start": 0, "end": 1, "entity_type": "protein"},
            ],
        },
        {
            "tokens": ["NF-kB", "binds", "DNA", "."],
            "entity_mentions": [{"start": 0, "end": 1, "entity_type": "protein"}],
        },
    ] * 6
    for split in ("train", "dev", "test"):
        (folder / f"{split}.jsonlines").write_text(
            "".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8"
        )
    return folder


def test_two_views_train_two_heads_and_score_against_the_nested_gold(
    tiny_setup: dict[str, Any], tmp_path: Path
) -> None:
    corpus = str(_nested_corpus(tmp_path / "nested"))
    raw = {
        "corpora": [
            {"name": corpus, "label_map": "original", "view": "outermost"},
            {"name": corpus, "label_map": "original", "view": "innermost", "alias": "nested@inner"},
        ],
        "encoder": {"name": str(tiny_setup["encoder"]), "dropout": 0.1},
        "trainer": {"max_steps": 4, "eval_every": 2},
        "batching": {"max_tokens": 120, "max_sentences": 8},
        "num_threads": 1,
        "seed": 3,
    }
    cfg = config_from_dict(raw)
    assert [c.key for c in cfg.corpora] == ["nested", "nested@inner"]
    result, reports = train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=0)
    notes = " | ".join(result.notes)
    assert "nested train: outermost view: 6 of 18 gold spans" in notes
    assert "nested@inner train: innermost view: 6 of 18 gold spans" in notes
    # each head is scored on the nested test gold of the types it learned, not on its view:
    # the outer head knows DNA and protein (18 mentions, 6 proteins inside DNA included), the
    # inner view never shows DNA (always outer here), so its head is scored on protein (12)
    support = {k: {t: v["support"] for t, v in reports[k]["per_type"].items()} for k in reports}
    assert support == {"nested": {"DNA": 6, "protein": 12}, "nested@inner": {"protein": 12}}
    loaded = load_trained(tmp_path / "run")
    assert set(loaded.model.routes) == {"nested", "nested@inner"}
    again = evaluate_corpus(loaded, "nested@inner", "test", n_resamples=0)
    assert again["micro"] == reports["nested@inner"]["micro"]


def test_alias_must_be_a_plain_name() -> None:
    with pytest.raises((ConfigError, ValueError)):
        config_from_dict(
            {"corpora": [{"name": "BC5CDR", "alias": "a/b"}], "encoder": {"name": "x"}}
        )
