"""Which split `merge-policies` chooses on: the training config's dev role, never test data."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mosaicner.errors import ConfigError
from mosaicner.inference.scoring import selection_split


def tagger_with(corpora: list[dict[str, Any]]) -> Any:
    meta = {"mosaicner_config": {"corpora": corpora}}
    return SimpleNamespace(predictor=SimpleNamespace(metadata=meta))


TAGGER = tagger_with(
    [
        {"name": "BC5CDR", "splits": {"train": "train", "dev": "dev", "test": "test"}},
        {"name": "JNLPBA", "splits": {"train": "train", "dev": None, "test": "test"}},
        {"name": "/data/mine", "splits": {"train": "a", "dev": "b", "test": "c"}},
    ]
)


def test_a_corpus_trained_without_dev_is_skipped_with_a_reason() -> None:
    name, why = selection_split(TAGGER, "JNLPBA", "dev")
    assert name is None and "no dev split of JNLPBA" in why


def test_the_dev_role_maps_to_the_configured_split_name() -> None:
    assert selection_split(TAGGER, "BC5CDR", "dev") == ("dev", "")
    assert selection_split(TAGGER, "mine", "dev") == ("b", "")


@pytest.mark.parametrize(("corpus", "split"), [("BC5CDR", "test"), ("mine", "c"), ("mine", "test")])
def test_test_data_is_refused(corpus: str, split: str) -> None:
    with pytest.raises(ConfigError, match="never chosen on test data"):
        selection_split(TAGGER, corpus, split)


def test_a_model_without_training_config_uses_the_split_as_named() -> None:
    assert selection_split(tagger_with([]), "X", "dev") == ("dev", "")


def test_test_is_refused_without_training_config_too() -> None:
    with pytest.raises(ConfigError):
        selection_split(tagger_with([]), "X", "test")


def test_deference_comes_from_the_label_maps_the_model_was_trained_with() -> None:
    from mosaicner.inference.scoring import model_deference

    meta = {
        "corpora": {
            "AnatEM": {"source": "AnatEM", "label_map": None},  # built-in map: defers
            "BC5CDR": {"source": "BC5CDR", "label_map": None},
            "mine": {"source": "/data/mine", "label_map": "original"},
            "gone": {"source": "/data/x", "label_map": "/no/such/map.yaml"},
        }
    }
    tagger = SimpleNamespace(predictor=SimpleNamespace(metadata=meta))
    assert model_deference(tagger) == {"AnatEM": {"Anatomy": ["Cell_line", "Cell_type", "Disease"]}}
