"""The registry reports behind `mosaicner corpora list` and `corpora info`."""

from __future__ import annotations

import pytest

from mosaicner.corpora import CORPORA
from mosaicner.corpora.catalog import corpus_card, list_corpora
from mosaicner.errors import UnknownComponentError


def test_listing_covers_the_registry() -> None:
    data = list_corpora().to_dict()
    assert [c["name"] for c in data["corpora"]] == [info.name for info in CORPORA.values()]
    assert all(set(c["present_splits"]) <= set(CORPORA[c["name"]].splits) for c in data["corpora"])


def test_card_of_a_corpus() -> None:
    card = corpus_card("bc5cdr").to_dict()
    assert card["name"] == "BC5CDR"
    assert card["label_map"]["map"] and card["files"]
    with pytest.raises(UnknownComponentError, match="BC5CDR"):
        corpus_card("BC5CDRR")
