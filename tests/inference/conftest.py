from __future__ import annotations

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
