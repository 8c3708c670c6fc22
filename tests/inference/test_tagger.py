from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.data.model import Document, Span
from mosaicner.data.tokenization import make_document
from mosaicner.errors import FormatError, MissingFileError
from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger, entity_records, plan_windows

TERMS = {
    "Chemical": ["cisplatin", "IL-2", "5-fluorouracil"],
    "Disease": ["nephrotoxicity", "lung cancer", "cancer"],
    "Species": ["rats", "Homo sapiens"],
}


def test_raw_text_offsets_index_original_text(dict_tagger: Tagger) -> None:
    text = "Cisplatin-induced  nephrotoxicity\tin rats.\n\nIL-2 and lung cancer (LC)."
    doc = dict_tagger(text)
    assert isinstance(doc, Document)
    assert doc.text == text
    got = [(text[s.start : s.end], s.label) for s in doc.layer("pred")]
    assert ("Cisplatin", "Chemical") in got
    assert ("nephrotoxicity", "Disease") in got
    assert ("rats", "Species") in got
    assert ("IL-2", "Chemical") in got
    # nested spans are kept: "cancer" inside "lung cancer"
    assert ("lung cancer", "Disease") in got and ("cancer", "Disease") in got
    for rec in entity_records(doc):
        assert text[rec["start"] : rec["end"]] == rec["text"]
        assert rec["score"] == 1.0


def test_list_input_returns_list_and_keeps_other_layers(dict_tagger: Tagger) -> None:
    gold = make_document("d1", "rats and cancer")
    gold = gold.with_layer("gold", [Span(0, 4, "Species", 0, 1)])
    out = dict_tagger([gold, "Homo sapiens"])
    assert isinstance(out, list) and len(out) == 2
    assert out[0].id == "d1" and out[0].layer("gold") == gold.layer("gold")
    assert [s.label for s in out[0].layer("pred")] == ["Species", "Disease"]
    assert [out[1].text[s.start : s.end] for s in out[1].layer("pred")] == ["Homo sapiens"]
    assert dict_tagger.last_stats.documents == 2 and dict_tagger.last_stats.entities == 3


def test_document_without_tokens_is_tokenised(dict_tagger: Tagger) -> None:
    doc = dict_tagger(Document("x", "Treated with 5-fluorouracil."))
    assert [doc.text[s.start : s.end] for s in doc.layer("pred")] == ["5-fluorouracil"]
    assert doc.tokens and doc.sentences


@given(st.integers(1, 3000), st.integers(1, 300), st.integers(0, 120))
def test_plan_windows_partition(n: int, max_words: int, context: int) -> None:
    plan = plan_windows(n, max_words, context)
    owned = 0
    for start, end, own_start, own_end in plan:
        assert 0 <= start <= own_start < own_end <= end <= n
        assert end - start <= max_words
        assert own_start == owned
        owned = own_end
    assert owned == n


def test_long_sentence_windowed_never_cut(dict_predictor: DictionaryPredictor) -> None:
    words = []
    for i in range(600):
        words.append("lung cancer" if i % 7 == 0 else f"w{i}")
    text = " ".join(words)  # no sentence punctuation: one 700-word sentence
    plain = Tagger(dict_predictor, max_sentence_words=10_000)(text)
    windowed = Tagger(dict_predictor, max_sentence_words=40, window_context=8)
    doc = windowed(text)
    assert windowed.last_stats.windowed_sentences == 1
    assert windowed.last_stats.windows > 10
    assert doc.layer("pred") == plain.layer("pred")
    assert len(doc.layer("pred")) == 2 * len([i for i in range(600) if i % 7 == 0])


ALPHABET = st.sampled_from(
    ["cisplatin", "IL-2", "lung", "cancer", "rats", "Homo", "sapiens", "of", "(", ")", ".", ",",
     "é", "α-helix", "\u00a0", " ", "  ", "\n", "\t", "Dr.", "e.g.", "3.5", "x_y", "5-fluorouracil"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=60), st.sampled_from(["", " ", "\n"]))
def test_every_entity_text_matches_offsets(pieces: list[str], joiner: str) -> None:
    text = joiner.join(pieces)
    tagger = Tagger(DictionaryPredictor(TERMS), max_sentence_words=7, window_context=2)
    doc = tagger(text)
    assert doc.text == text
    for span in doc.layer("pred"):
        assert 0 <= span.start < span.end <= len(text)
        surface = text[span.start : span.end]
        assert surface == surface.strip() and surface
        assert span.token_start is not None and span.token_end is not None
        assert doc.tokens[span.token_start].start == span.start
        assert doc.tokens[span.token_end - 1].end == span.end
    for rec in entity_records(doc):
        assert text[rec["start"] : rec["end"]] == rec["text"]


def test_dictionary_files(tmp_path: Path) -> None:
    j = tmp_path / "terms.json"
    j.write_text(json.dumps({"Chemical": ["aspirin"]}))
    assert Tagger.load(j)("aspirin.").layer("pred")[0].label == "Chemical"
    t = tmp_path / "terms.tsv"
    t.write_text("# comment\naspirin\tChemical\nbad line\n")
    with pytest.raises(FormatError) as err:
        DictionaryPredictor.load(t)
    assert "terms.tsv:3" in str(err.value)
    with pytest.raises(MissingFileError):
        Tagger.load(tmp_path / "missing")
