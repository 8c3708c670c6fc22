from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger

TERMS = {
    "Chemical": ["cisplatin", "IL-2", "5-fluorouracil"],
    "Disease": ["nephrotoxicity", "lung cancer", "cancer"],
    "Species": ["rats", "Homo sapiens"],
}


@pytest.fixture
def dict_predictor() -> DictionaryPredictor:
    return DictionaryPredictor(TERMS)


@pytest.fixture
def dict_tagger(dict_predictor: DictionaryPredictor) -> Tagger:
    return Tagger(dict_predictor)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained tiny MultiTaskModel saved with ``save`` (random predictions)."""
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny_model"))
