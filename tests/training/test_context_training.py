"""Document context (``encoder.context_words``) through training, evaluation and tagging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mosaicner.training.config import config_from_dict
from mosaicner.training.run import evaluate_corpus, load_trained, train_and_evaluate


@pytest.mark.parametrize("mode", ["neighbours", "window"])
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
