"""The tagger merges the heads' predictions (one answer per text, provenance on every span), and
the same merged answer reaches spaCy export and the server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mosaicner.inference.tagger import Tagger
from mosaicner.merge import Cooccurrence, MergeConfig

TEXT = "Aspirin reduced colorectal cancer and PPARa ."
#       0       8       16         27     34  38    44


class TwoHeads:
    """Per-head predictions as a multi-head model returns them (``predict_words_by_head``)."""

    def predict_words_by_head(
        self, sentences: Sequence[Sequence[str]], batch_size_tokens: int = 0
    ) -> list[list[tuple[int, int, str, float, str]]]:
        return [
            [
                (0, 4, "Disease", 0.9, "BC5CDR"),  # "Aspirin reduced colorectal cancer"
                (2, 4, "Disease", 0.6, "NCBI-disease"),  # "colorectal cancer"
                (2, 4, "Disease", 0.7, "BioNLP13CG"),
                (5, 6, "Chemical", 0.8, "BC5CDR"),  # "PPARa"
                (5, 6, "Gene_or_protein", 0.7, "BC2GM"),
                (5, 6, "Gene_or_protein", 0.6, "BioNLP13CG"),
            ]
            for _ in sentences
        ]

    def predict_words(
        self, sentences: Sequence[Sequence[str]], batch_size_tokens: int = 0
    ) -> list[list[tuple[int, int, str, float]]]:  # the merged-by-max view older taggers used
        out = []
        for preds in self.predict_words_by_head(sentences):
            best: dict[tuple[int, int, str], float] = {}
            for s, e, lab, sc, _ in preds:
                best[(s, e, lab)] = max(sc, best.get((s, e, lab), 0.0))
            out.append([(s, e, lab, sc) for (s, e, lab), sc in best.items()])
        return out

    def info(self) -> dict[str, Any]:
        return {"types": ["Chemical", "Disease", "Gene_or_protein"]}


def answer(tagger: Tagger) -> set[tuple[str, str]]:
    doc = tagger(TEXT)
    return {(doc.span_text(s), s.label) for s in doc.layer("pred")}


def test_one_answer_per_text_with_provenance() -> None:
    table = Cooccurrence.from_pairs([("DNA", "Gene_or_protein")])
    tagger = Tagger(TwoHeads(), merge=MergeConfig(policy="vote", cooccurrence=table))
    doc = tagger(TEXT)
    got = {(doc.span_text(s), s.label): s for s in doc.layer("pred")}
    # two heads said "colorectal cancer", one the longer span; two heads said PPARa is a gene
    assert set(got) == {("colorectal cancer", "Disease"), ("PPARa", "Gene_or_protein")}
    assert got[("colorectal cancer", "Disease")].attrs["heads"] == [
        {"head": "BioNLP13CG", "score": 0.7},
        {"head": "NCBI-disease", "score": 0.6},
    ]
    assert tagger.last_stats.overlaps_dropped == 1
    assert tagger.last_stats.conflicts_dropped == 1
    assert "merge dropped 1 overlapping same-type and 1 conflicting" in (
        tagger.last_stats.summary()
    )


def test_union_policy_keeps_the_old_behaviour() -> None:
    tagger = Tagger(TwoHeads(), merge=MergeConfig(policy="union"))
    assert answer(tagger) == {
        ("Aspirin reduced colorectal cancer", "Disease"),
        ("colorectal cancer", "Disease"),
        ("PPARa", "Chemical"),
        ("PPARa", "Gene_or_protein"),
    }
    assert tagger.last_stats.duplicate_predictions == 2


def test_tiny_model_spans_carry_heads_everywhere(tiny_model_dir: Path) -> None:
    tagger = Tagger.load(tiny_model_dir, merge_policy="max-score")
    assert tagger.merge.policy == "max-score" and tagger.info()["merge_policy"] == "max-score"
    docs = tagger(["Aspirin induced asthma in rats .", "IL-2 expression in human T cells ."])
    spans = [s for d in docs for s in d.layer("pred")]
    assert spans  # the tiny model predicts (random) spans
    for d in docs:
        keys = [(s.start, s.end, s.label) for s in d.layer("pred")]
        assert len(keys) == len(set(keys))
    for s in spans:
        heads = {h["head"] for h in s.attrs["heads"]}
        assert heads and heads <= {"BC5CDR", "linnaeus"}
    pytest.importorskip("spacy")
    from mosaicner.inference.spacy_export import SPAN_KEY, to_spacy

    sdoc = to_spacy(docs[0])
    assert sdoc.spans[SPAN_KEY].attrs["heads"] == [
        list(s.attrs["heads"]) for s in docs[0].layer("pred")
    ]


def test_unknown_policy_is_a_clear_error(tiny_model_dir: Path) -> None:
    from mosaicner.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown merge policy"):
        Tagger.load(tiny_model_dir, merge_policy="best")
