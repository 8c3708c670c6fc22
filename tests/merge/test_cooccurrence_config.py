"""The co-occurrence table from gold spans, and merge.json in a model folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mosaicner.errors import ConfigError
from mosaicner.merge import (
    MergeConfig,
    config_to_json,
    cooccurrence_from_sentences,
    load_merge_config,
    update_merge_file,
)


def test_nested_corpus_allows_pairs_flat_corpora_do_not() -> None:
    genia = [
        [(0, 2, "DNA"), (0, 1, "Gene_or_protein")],  # "IL-2 gene" / "IL-2"
        [(3, 9, "DNA"), (4, 5, "Gene_or_protein")],  # protein deep inside a long DNA: not near
    ]
    flat = [[(0, 1, "Chemical"), (2, 3, "Gene_or_protein")]]
    table, counts = cooccurrence_from_sentences(genia + flat)
    assert table.allowed("DNA", "Gene_or_protein") and table.allowed("Gene_or_protein", "DNA")
    assert not table.allowed("Chemical", "Gene_or_protein")
    assert counts == {"DNA|Gene_or_protein": 1}
    none, _ = cooccurrence_from_sentences(flat)
    assert none.known and not none.pairs


def test_merge_file_round_trip_and_policy_override(tmp_path: Path) -> None:
    assert load_merge_config(tmp_path) == MergeConfig()  # no file: defaults, unknown table
    update_merge_file(tmp_path, policy="max-score", cooccurrence=[["DNA", "Gene_or_protein"]])
    update_merge_file(tmp_path, calibration={"BC2GM": {"a": 0.5, "b": 0.1}})
    cfg = load_merge_config(tmp_path)
    assert cfg.policy == "max-score"
    assert cfg.cooccurrence.allowed("DNA", "Gene_or_protein")
    assert not cfg.cooccurrence.allowed("Chemical", "DNA")
    assert cfg.calibration.platt == {"BC2GM": (0.5, 0.1)}
    assert load_merge_config(tmp_path, "union").policy == "union"
    data = json.loads((tmp_path / "merge.json").read_text())
    assert config_to_json(cfg)["cooccurrence"] == data["cooccurrence"]


def test_bad_policy_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown merge policy 'best'"):
        load_merge_config(tmp_path, "best")
    (tmp_path / "merge.json").write_text("[1]")
    with pytest.raises(ConfigError, match="JSON object"):
        load_merge_config(tmp_path)
