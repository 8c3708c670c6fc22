from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaicner.errors import ConfigError
from mosaicner.heads import build_head
from mosaicner.heads.base import WordFeatures
from mosaicner.heads.crf import (
    NEG,
    CRFHead,
    TagSet,
    crf_log_partition,
    crf_marginals,
    crf_path_score,
    crf_viterbi,
)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # tiny models run faster on one thread, and the machine is shared
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _random_case(
    seed: int, batch: int = 3, width: int = 4, scheme: str = "iob2"
) -> tuple[TagSet, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    ts = TagSet(["X", "Y"], scheme)
    n = len(ts)
    em = torch.randn(batch, width, n, generator=gen, dtype=torch.float64)
    trans = torch.randn(n, n, generator=gen, dtype=torch.float64)
    start = torch.randn(n, generator=gen, dtype=torch.float64)
    end = torch.randn(n, generator=gen, dtype=torch.float64)
    trans = trans.masked_fill(~torch.from_numpy(ts.allowed), NEG)
    start = start.masked_fill(~torch.from_numpy(ts.start_allowed), NEG)
    end = end.masked_fill(~torch.from_numpy(ts.end_allowed), NEG)
    return ts, em, trans, start, end, torch.tensor([width, 1, width - 1][:batch])


def _brute(em, trans, start, end, length):  # type: ignore[no-untyped-def]
    n = em.shape[-1]
    scores = {}
    for path in itertools.product(range(n), repeat=length):
        s = start[path[0]] + end[path[-1]]
        s = s + sum(em[t, path[t]] for t in range(length))
        s = s + sum(trans[path[t - 1], path[t]] for t in range(1, length))
        scores[path] = s
    return scores


@pytest.mark.parametrize("scheme", ["iob2", "iobes"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_viterbi_marginals_equal_brute_force(scheme: str, seed: int) -> None:
    ts, em, trans, start, end, lengths = _random_case(
        seed, width=4 if scheme == "iob2" else 3, scheme=scheme
    )
    width = em.shape[1]
    mask = torch.arange(width)[None, :] < lengths[:, None]
    log_z = crf_log_partition(em, mask, trans, start, end)
    best = crf_viterbi(em, mask, trans, start, end)
    marg = crf_marginals(em, mask, trans, start, end)
    for b, length in enumerate(lengths.tolist()):
        scores = _brute(em[b], trans, start, end, length)
        values = torch.stack(list(scores.values()))
        assert torch.allclose(log_z[b], torch.logsumexp(values, 0), atol=1e-8)
        best_path = max(scores, key=lambda p: float(scores[p]))
        assert tuple(best[b, :length].tolist()) == best_path
        tags = torch.zeros(1, width, dtype=torch.long)
        tags[0, :length] = torch.tensor(best_path)
        score = crf_path_score(em[b : b + 1], mask[b : b + 1], tags, trans, start, end)
        assert torch.allclose(score[0], scores[best_path], atol=1e-8)
        probs = torch.softmax(values, 0)
        for t in range(length):
            expect = torch.zeros(len(ts), dtype=torch.float64)
            for p, path in zip(probs, scores, strict=True):
                expect[path[t]] += p
            assert torch.allclose(marg[b, t], expect, atol=1e-8)


def _features(words: torch.Tensor, lengths: list[int]) -> WordFeatures:
    batch, width, hidden = words.shape
    mask = torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]
    return WordFeatures(words, mask, torch.zeros(batch, hidden), torch.zeros(batch, hidden))


@pytest.mark.parametrize("scheme", ["iob2", "iobes"])
def test_constrained_decoding_is_always_well_formed(scheme: str) -> None:
    torch.manual_seed(0)
    head = CRFHead(8, ["X", "Y"], scheme=scheme)
    head.eval()
    with torch.no_grad():
        # make I-X the most attractive tag everywhere: unconstrained decoding would start with it
        head.proj.weight.zero_()
        head.proj.bias.zero_()
        head.proj.bias[head.tagset.index["I-X"]] = 5.0
        head.proj.bias[head.tagset.index["I-Y"]] = 4.0
        head.transitions.normal_()
    feats = _features(torch.randn(16, 7, 8), [7, 5, 1, 3] * 4)
    with torch.inference_mode():
        best = crf_viterbi(head.emissions(feats), feats.mask, *head.constrained())
    for b, n in enumerate(feats.mask.sum(1).tolist()):
        tags = [head.tagset.tags[t] for t in best[b, :n].tolist()]
        prev = "O"
        for tag in tags:
            if tag.startswith(("I-", "E-")):
                assert prev[2:] == tag[2:] and prev[0] in "BI", tags
            prev = tag
        if scheme == "iobes":
            assert tags[-1][0] in "OES", tags


def test_loss_is_per_sentence_nll_and_trains() -> None:
    torch.manual_seed(0)
    head = CRFHead(8, ["X"], dropout=0.0)
    feats = _features(torch.randn(2, 4, 8), [4, 2])
    gold = [[(1, 3, "X")], [(0, 1, "X")]]
    loss = head.loss(feats, gold, ["c", "c"])
    em = head.emissions(feats)
    trans, start, end = head.constrained()
    tags = head.gold_tags(gold, 4)
    nll = crf_log_partition(em, feats.mask, trans, start, end) - crf_path_score(
        em, feats.mask, tags, trans, start, end
    )
    assert torch.allclose(loss, nll.mean())
    opt = torch.optim.Adam(head.parameters(), lr=0.1)
    for _ in range(40):
        opt.zero_grad()
        head.loss(feats, gold, ["c", "c"]).backward()
        opt.step()
    head.eval()
    with torch.inference_mode():
        pred = head.decode(feats)
    assert [[s[:3] for s in p] for p in pred] == [[(1, 3, "X")], [(0, 1, "X")]]
    assert all(0.5 < s[3] <= 1.0 for p in pred for s in p)


def test_empty_sentences_and_empty_batch() -> None:
    head = CRFHead(4, ["X"])
    feats = _features(torch.randn(2, 3, 4), [0, 3])
    loss = head.loss(feats, [[], [(0, 1, "X")]], ["c", "c"])
    assert torch.isfinite(loss)
    empty = _features(torch.randn(1, 0, 4), [0])
    assert float(head.loss(empty, [[]], ["c"]).detach()) == 0.0
    head.eval()
    with torch.inference_mode():
        assert head.decode(empty) == [[]]
        assert len(head.decode(feats)[0]) == 0


def test_gold_encoding_counts_what_it_drops() -> None:
    ts = TagSet(["X", "Y"], "iobes")
    counters: Counter[str] = Counter()
    tags = ts.encode([(0, 3, "X"), (1, 2, "Y"), (3, 4, "Y"), (4, 5, "Z"), (5, 9, "X")], 6, counters)
    assert [ts.tags[t] for t in tags] == ["B-X", "I-X", "E-X", "S-Y", "O", "O"]
    assert counters == {
        "overlapping_spans_dropped": 1,
        "unknown_label_spans": 1,
        "out_of_range_spans": 1,
    }


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["iob2", "iobes"]),
    st.lists(st.tuples(st.integers(0, 11), st.integers(1, 3), st.sampled_from("XY")), max_size=5),
)
def test_tags_round_trip(scheme: str, raw: list[tuple[int, int, str]]) -> None:
    ts = TagSet(["X", "Y"], scheme)
    spans: list[tuple[int, int, str]] = []
    for s, n, lab in sorted(raw):
        if s + n <= 12 and all(s >= e or s + n <= b for b, e, _ in spans):
            spans.append((s, s + n, lab))
    assert ts.decode(ts.encode(spans, 12)) == sorted(spans)


def test_lenient_decode_repairs() -> None:
    ts = TagSet(["X", "Y"], "iob2")
    ids = [ts.index[t] for t in ["I-X", "I-X", "O", "B-Y", "I-X", "I-X"]]
    assert ts.decode(ids) == [(0, 2, "X"), (3, 4, "Y"), (4, 6, "X")]


def test_options_are_checked_and_exported() -> None:
    head = build_head("crf", 4, ["X"], {"c": ["X"]}, scheme="iobes")
    cfg = head.export_config()
    assert cfg["type"] == "crf" and cfg["options"]["scheme"] == "iobes"
    with pytest.raises(ConfigError, match="bad options"):
        build_head("crf", 4, ["X"], scheme="bilou-ish")
    with pytest.raises(ConfigError):
        build_head("crf", 4, ["X"], colour="red")


_SPANS = st.lists(
    st.tuples(st.integers(0, 9), st.integers(1, 4), st.sampled_from(["X", "Y"])).map(
        lambda t: (t[0], min(t[0] + t[1], 10), t[2])
    ),
    max_size=8,
)


@given(_SPANS)
def test_flat_target_drops_counts_what_the_crf_targets_drop(
    spans: list[tuple[int, int, str]],
) -> None:
    # the training note (mosaicner.data.flatten.flat_target_drops) must describe the CRF targets
    from mosaicner.data.flatten import flat_target_drops

    counters: Counter[str] = Counter()
    TagSet(["X", "Y"], "iob2").encode(spans, 10, counters)
    assert counters["overlapping_spans_dropped"] == flat_target_drops(spans)


def test_flat_head_note_reports_nested_gold_dropped_by_a_crf_head(tmp_path: Path) -> None:
    from mosaicner.training.config import TrainConfig
    from mosaicner.training.data import prepare_training_data

    folder = tmp_path / "nested"
    folder.mkdir()
    lines = [
        {
            "tokens": ["IL-2", "gene", "expression"],
            "entity_mentions": [
                {"start": 0, "end": 2, "entity_type": "DNA"},
                {"start": 0, "end": 1, "entity_type": "protein"},
            ],
        },
        {
            "tokens": ["NF-kB", "binds"],
            "entity_mentions": [{"start": 0, "end": 1, "entity_type": "protein"}],
        },
    ]
    for split in ("train", "dev", "test"):
        (folder / f"{split}.jsonlines").write_text(
            "".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8"
        )
    notes: list[str] = []
    for head in ("crf", "softmax"):
        cfg = TrainConfig.model_validate(
            {
                "corpora": [{"name": str(folder), "head": head, "label_map": "keep"}],
                "encoder": {"name": "unused"},
            }
        )
        notes.clear()
        prepare_training_data(cfg, note=notes.append)
        flat = [n for n in notes if "head is flat" in n]
        assert len(flat) == 1, notes
        assert "1 of 3 gold spans" in flat[0]
