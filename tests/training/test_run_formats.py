"""``evaluate_corpus`` reads a corpus in the format it is in (detected, or given with --from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mosaicner.io import read, write
from mosaicner.training.config import config_from_dict
from mosaicner.training.run import evaluate_corpus, load_trained, train_and_evaluate


def test_evaluate_a_pubtator_file_named_txt(
    tiny_setup: dict[str, Any], tiny_config: Any, tmp_path: Path
) -> None:
    cfg = config_from_dict(tiny_config(max_steps=2, eval_every=2))
    train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=0)
    loaded = load_trained(tmp_path / "run")
    docs = read(tiny_setup["dis"] / "test.tsv", "conll").documents
    gold = sum(len(d.layer()) for d in docs)
    assert gold > 0
    target = tmp_path / "pub" / "test.txt"  # PubTator content behind a .txt suffix
    write(docs, target, "pubtator")
    detected = evaluate_corpus(loaded, str(target), "test", head="dis", n_resamples=0)
    micro = detected["micro"]
    assert micro["tp"] + micro["fn"] == gold  # read as plain text it was 0
    as_text = evaluate_corpus(loaded, str(target), "test", head="dis", n_resamples=0, format="text")
    assert as_text["micro"]["tp"] + as_text["micro"]["fn"] == 0  # --from is passed through
