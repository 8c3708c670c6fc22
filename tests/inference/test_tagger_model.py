"""The tagger with a real (tiny, untrained) saved model: plumbing and offsets, not accuracy."""

from __future__ import annotations

from pathlib import Path

from mosaicner.inference.tagger import Tagger, entity_records

TEXTS = [
    "Aspirin-induced asthma in patients.  IL-2 receptor alpha (IL-2Rα) in human T cells.",
    "The mice were treated with the drug; cancer cells died.\n\nA second paragraph of cells.",
    "",
    "  x  ",
    "patients " * 400,  # one long sentence: windowed over words and over sub-words
]


def test_tiny_model_offsets_and_info(tiny_model_dir: Path) -> None:
    tagger = Tagger.load(tiny_model_dir, num_threads=1, max_sentence_words=150)
    info = tagger.info()
    assert info["types"] == ["Chemical", "Disease", "Species"]
    assert set(info["corpora"]) == {"BC5CDR", "linnaeus"}
    assert info["version"]
    docs = tagger(TEXTS)
    assert [d.text for d in docs] == TEXTS
    n = 0
    for doc in docs:
        for rec in entity_records(doc):
            assert doc.text[rec["start"] : rec["end"]] == rec["text"]
            assert rec["label"] in info["types"]
            assert -1e-4 <= rec["score"] <= 1.0 + 1e-4  # CRF marginals: float error
            n += 1
    assert n > 0
    stats = tagger.last_stats
    assert stats.documents == 5 and stats.entities == n
    assert stats.windowed_sentences == 1 and stats.windows >= 3
    assert stats.encoder_windowed_sentences >= 1  # max_length 24 sub-words
    # the same call twice gives the same answer (deterministic, eval mode)
    again = tagger(TEXTS)
    assert [d.layer("pred") for d in again] == [d.layer("pred") for d in docs]
