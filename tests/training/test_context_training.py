"""Document context (``encoder.context_words``) through training, evaluation and tagging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mosaicner.training.config import config_from_dict
from mosaicner.training.run import evaluate_corpus, load_trained, train_and_evaluate


@pytest.mark.parametrize("mode", ["neighbours", "window"])  # merge: see the test below
def test_context_model_trains_scores_and_tags_with_context(
    tiny_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    raw = tiny_config(max_steps=4, eval_every=2)
    raw["encoder"]["context_words"] = 4 if mode == "neighbours" else 40
    raw["encoder"]["context_mode"] = mode
    cfg = config_from_dict(raw)
    _, reports = train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=0)
    loaded = load_trained(tmp_path / "run")
    assert loaded.model.encoder.config.context_words == raw["encoder"]["context_words"]
    assert loaded.model.encoder.config.context_mode == mode
    seen: list[Any] = []
    encode = type(loaded.model.encoder).encode_batch

    def spy(self: Any, sentences: Any, **kw: Any) -> Any:
        seen.append(kw.get("contexts"))
        return encode(self, sentences, **kw)

    monkeypatch.setattr(type(loaded.model.encoder), "encode_batch", spy)
    # scoring again reads the test split with the same context: the same figures
    for name, rep in reports.items():
        again = evaluate_corpus(loaded, name, "test", n_resamples=0)
        assert again["micro"] == rep["micro"]
    assert seen and all(c is not None and any(lt or rt for lt, rt in c) for c in seen)

    from mosaicner.inference.tagger import Tagger

    seen.clear()
    tagger = Tagger(loaded.model, source="test")
    docs = tagger.tag_documents(["The patient got aspirin. Then asthma came.", "Cancer."])
    assert len(docs) == 2
    (contexts,) = [c for c in seen if c is not None]
    # two sentences of document 1 see each other; the one-sentence document 2 sees nothing
    assert contexts[0][1][:2] == ("Then", "asthma") and contexts[1][0][-2:] == ("aspirin", ".")
    assert contexts[2] == ((), ())


def test_merged_sentences_train_score_and_tag_as_one_sequence(
    tiny_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mosaicner.data.context import SENTENCE_BREAK
    from mosaicner.inference.tagger import Tagger, TaggingStats

    raw = tiny_config(max_steps=4, eval_every=2)
    raw["encoder"]["context_words"] = 60
    raw["encoder"]["context_mode"] = "merge"
    cfg = config_from_dict(raw)
    _, reports = train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=0)
    loaded = load_trained(tmp_path / "run")
    assert loaded.model.encoder.config.context_mode == "merge"
    for name, rep in reports.items():
        # the gold of the merged test windows is every test mention, once
        plain = evaluate_corpus(loaded, name, "test", n_resamples=0)
        assert plain["micro"] == rep["micro"]
    seen: list[Any] = []
    encode = type(loaded.model.encoder).encode_batch

    def spy(self: Any, sentences: Any, **kw: Any) -> Any:
        seen.append([list(s) for s in sentences])
        return encode(self, sentences, **kw)

    monkeypatch.setattr(type(loaded.model.encoder), "encode_batch", spy)
    tagger = Tagger(loaded.model, source="test")
    stats = TaggingStats()
    texts = ["The patient got aspirin. Then asthma came.", "Cancer."]
    docs = [tagger.prepare(t, i) for i, t in enumerate(texts)]
    found = tagger.candidates(docs, stats)
    assert len(found) == 2
    (inputs,) = seen
    # document 1's two sentences are one input, with a break between them
    assert [w.count(SENTENCE_BREAK) for w in inputs] == [1, 0]
    for doc, cands in zip(docs, found, strict=True):
        for c in cands:  # every candidate maps back into its own document's tokens
            assert 0 <= c.start < c.end <= len(doc.text)
    assert len(tagger.tag_documents(texts)) == 2


def test_tagger_maps_merged_predictions_back_to_sentences() -> None:
    from mosaicner.inference.tagger import Tagger, TaggingStats

    words = [("a", "b"), ("c", "d", "e"), ("f",)]
    # one merged input: a b | c d e  (offsets 0 and 3); then f alone
    merged = [(0, 2, [0, 3]), (2, 3, [0])]
    preds = [
        [(0, 2, "T", 0.9, "h"), (4, 6, "U", 0.5, "h"), (1, 4, "T", 0.7, "h")],
        [(0, 1, "T", 0.8, "h")],
    ]
    stats = TaggingStats()
    out = Tagger._split_merged(preds, merged, words, stats)
    assert out == [[(0, 2, "T", 0.9, "h")], [(1, 3, "U", 0.5, "h")], [(0, 1, "T", 0.8, "h")]]
    assert stats.cross_sentence_spans == 1 and "across merged sentences" in stats.summary()
