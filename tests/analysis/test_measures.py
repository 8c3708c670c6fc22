from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from mosaicner.analysis.data import AnalysisCorpus
from mosaicner.analysis.measures import (
    combine,
    compute_similarity,
    embedding_vector,
    entity_coverage,
    js_divergence,
    label_overlap,
    parse_measures,
    size_ratio,
    target_vocab_covered,
    unseen_mention_rate,
    vocab_dice,
)
from mosaicner.encoders.sentence import SentenceEmbedder
from mosaicner.errors import ConfigError, UnknownComponentError


def corpus(name: str, train: list, test: list) -> AnalysisCorpus:
    return AnalysisCorpus.from_sentences(name, {"train": train, "test": test})


# target: vocabulary {IL-2, binds, receptor, .}, test mentions "IL-2" x2, "receptor" x1
T = corpus(
    "T",
    [(("IL-2", "binds", "receptor", "."), ((0, 1, "protein"),))],
    [
        (
            ("IL-2", "and", "IL-2", "receptor"),
            ((0, 1, "protein"), (2, 3, "protein"), (3, 4, "DNA")),
        ),
    ],
)
# aux: vocabulary {il-2, IL-2, receptor, cells}; train mentions "IL-2", "receptor cells"
A = corpus(
    "A",
    [(("il-2", "IL-2", "receptor", "cells"), ((1, 2, "Gene"), (2, 4, "Cell")))],
    [(("x",), ())],
)


def test_vocabulary_measures() -> None:
    # |V_T ∩ V_A| = {IL-2, receptor} = 2; |V_T| = 4, |V_A| = 4
    assert target_vocab_covered(T, A) == pytest.approx(2 / 4)
    assert target_vocab_covered(A, T) == pytest.approx(2 / 4)
    assert vocab_dice(T, A) == pytest.approx(2 * 2 / 8)


def test_entity_coverage_counts_repetitions_and_ignores_types() -> None:
    # T test mentions: IL-2 (x2, seen in A train as a Gene), receptor (not a mention in A)
    assert entity_coverage(T, A) == pytest.approx(2 / 3)
    # A test has no mentions
    assert entity_coverage(A, T) == 0.0


def test_unseen_mention_rate_matches_type() -> None:
    # T train mentions: (IL-2, protein); test: IL-2 protein x2 seen, receptor DNA unseen
    assert unseen_mention_rate(T) == pytest.approx(1 / 3)


def test_jsd_equals_scipy() -> None:
    keys = sorted({"IL-2", "binds", "receptor", ".", "il-2", "cells"})
    ct = {"IL-2": 1, "binds": 1, "receptor": 1, ".": 1}
    ca = {"il-2": 1, "IL-2": 1, "receptor": 1, "cells": 1}
    p = np.array([ct.get(k, 0) for k in keys], float)
    q = np.array([ca.get(k, 0) for k in keys], float)
    expected = jensenshannon(p / p.sum(), q / q.sum(), base=2) ** 2
    assert js_divergence(T, A) == pytest.approx(expected, abs=1e-12)
    assert js_divergence(T, T) == pytest.approx(0.0, abs=1e-12)


def test_size_ratio_and_label_overlap() -> None:
    assert size_ratio(T, A) == pytest.approx(4 / 4)
    big = corpus("B", [(("a", "b", "c", "d", "e", "f", "g", "h"), ((0, 1, "PROTEIN"),))], [])
    assert size_ratio(T, big) == pytest.approx(2.0)
    assert label_overlap(T, big) == pytest.approx(1.0)  # case-insensitive
    assert label_overlap(T, A) == 0.0


def test_records_cover_every_ordered_pair_and_combinations() -> None:
    c = corpus("C", [(("IL-2", "cells"), ((0, 1, "protein"),))], [(("cells",), ((0, 1, "X"),))])
    recs = compute_similarity(
        [T, A, c], ["tvc", "dice", "mean:tvc+jsd", "rank_mean:tvc+entity_coverage"]
    )
    for m in ("tvc", "dice", "mean:tvc+jsd", "rank_mean:tvc+entity_coverage"):
        pairs = {(r["target"], r["auxiliary"]) for r in recs if r["measure"] == m}
        assert len(pairs) == 6 and all(t != a for t, a in pairs)
    # members not asked for are not in the output
    assert not any(r["measure"] == "jsd" for r in recs)
    mean = {
        (r["target"], r["auxiliary"]): r["value"] for r in recs if r["measure"] == "mean:tvc+jsd"
    }
    assert mean[("T", "A")] == pytest.approx(
        (target_vocab_covered(T, A) + 1 - js_divergence(T, A)) / 2
    )
    rm = {
        (r["target"], r["auxiliary"]): r["value"]
        for r in recs
        if r["measure"] == "rank_mean:tvc+entity_coverage"
    }
    assert all(0.0 <= v <= 1.0 for v in rm.values())


def test_rank_mean_hand_case() -> None:
    recs = [
        {"measure": "tvc", "target": "t", "auxiliary": a, "value": v}
        for a, v in (("a", 0.9), ("b", 0.5), ("c", 0.1))
    ] + [
        {"measure": "jsd", "target": "t", "auxiliary": a, "value": v}  # lower = more similar
        for a, v in (("a", 0.3), ("b", 0.1), ("c", 0.2))
    ]
    out = {r["auxiliary"]: r["value"] for r in combine(recs, "rank_mean:tvc+jsd")}
    # tvc scores a=1, b=.5, c=0 ; jsd oriented scores b=1, c=.5, a=0
    assert out == pytest.approx({"a": 0.5, "b": 0.75, "c": 0.25})


def test_topic_measure_records_collection() -> None:
    texts = {
        "P": "protein kinase phosphorylation binding receptor",
        "Q": "tumour cancer patients therapy disease",
        "R": "protein receptor signalling kinase cells",
    }
    cs = [
        corpus(n, [(tuple((t + " extra" + str(i)).split()), ()) for i in range(3)], [])
        for n, t in texts.items()
    ]
    recs = compute_similarity(cs, ["topic"], n_topics=2)
    assert len(recs) == 6
    assert recs[0]["collection"] == ["P", "Q", "R"]
    values = {(r["target"], r["auxiliary"]): r["value"] for r in recs}
    assert values[("P", "R")] == values[("R", "P")]
    assert all(-1e-9 <= v <= 1 + 1e-9 for v in values.values())


def test_parse_measures_errors() -> None:
    assert parse_measures("tvc, dice") == ["tvc", "dice"]
    assert "embedding" in parse_measures("all")
    with pytest.raises(UnknownComponentError, match="did you mean 'tvc'"):
        parse_measures("tvcc")
    with pytest.raises(UnknownComponentError):
        parse_measures("max:tvc+dice")
    with pytest.raises(ConfigError):
        parse_measures("mean:tvc")


def test_embedding_with_tiny_encoder_is_cached(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "il-2",
        "binds",
        "receptor",
        ".",
        "cells",
    ]
    vf = tmp_path / "vocab.txt"
    vf.write_text("\n".join(vocab) + "\n")
    tok = transformers.BertTokenizerFast(vocab_file=str(vf), do_lower_case=True)
    torch.manual_seed(0)
    cfg = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
    )
    model = transformers.BertModel(cfg)
    calls = []

    def loader() -> tuple:
        calls.append(1)
        return model, tok

    embed = SentenceEmbedder("tiny", loader=loader)
    v1 = embedding_vector(T, "tiny", n_sentences=5, cache_dir=tmp_path, embed=embed)
    v2 = embedding_vector(T, "tiny", n_sentences=5, cache_dir=tmp_path, embed=embed)
    assert v1.shape == (32,) and np.allclose(v1, v2) and len(calls) == 1
    assert math.isclose(float(np.linalg.norm(v1)), 1.0, rel_tol=1e-6)  # one sentence: unit norm
