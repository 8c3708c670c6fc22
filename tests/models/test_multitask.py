from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from mosaicner.data.model import SentenceExample
from mosaicner.encoders import EncoderConfig, TransformerEncoder
from mosaicner.errors import ConfigError, ModelError
from mosaicner.heads import SoftmaxHead, build_head
from mosaicner.models import MultiTaskModel, load_model, token_batches
from mosaicner.models.multitask import _merge
from mosaicner.testing.tiny import make_tiny_encoder


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # tiny models run faster on one thread, and the machine is shared
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_encoder(tmp_path_factory.mktemp("tiny") / "bert")


def _model(tiny_dir: Path, **enc_opts: object) -> MultiTaskModel:
    torch.manual_seed(0)
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(tiny_dir), **enc_opts))
    h = enc.hidden_size
    heads = {
        "cdr": build_head("crf", h, ["Chemical", "Disease"], {"cdr": ["Chemical", "Disease"]}),
        "ncbi": build_head("crf", h, ["Disease"], {"ncbi": ["Disease"]}, scheme="iobes"),
        # a head shared by two corpora with corpus-prefixed labels (as a transition head may use)
        "shared": build_head(
            "softmax",
            h,
            ["lin$Species", "gen$Cell"],
            {"lin": ["lin$Species"], "gen": ["gen$Cell"]},
        ),
    }
    routes = {"cdr": "cdr", "ncbi": "ncbi", "lin": "shared", "gen": "shared"}
    return MultiTaskModel(enc, heads, routes, label_maps={"cdr": {"CHEM": "Chemical"}})


EXAMPLES = [
    SentenceExample(
        "d1",
        0,
        ("aspirin", "induced", "asthma", "."),
        ((0, 1, "Chemical"), (2, 3, "Disease")),
        "cdr",
    ),
    SentenceExample("d2", 0, ("the", "patient", "had", "asthma"), ((3, 4, "Disease"),), "ncbi"),
    SentenceExample(
        "d3",
        0,
        ("human", "cells", "in", "mice"),
        ((0, 1, "lin$Species"), (3, 4, "lin$Species")),
        "lin",
    ),
    SentenceExample("d4", 0, ("t", "cells", "express", "il-2"), ((0, 2, "gen$Cell"),), "gen"),
]


def test_loss_groups_by_head_and_trains(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    model.train()
    loss, metrics = model.loss(EXAMPLES)
    assert set(metrics) == {"loss", "loss/cdr", "loss/ncbi", "loss/shared", "sentences"}
    expect = (metrics["loss/cdr"] + metrics["loss/ncbi"] + 2 * metrics["loss/shared"]) / 4
    assert metrics["loss"] == pytest.approx(expect, rel=1e-5)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = float(loss.detach())
    for _ in range(15):
        opt.zero_grad()
        loss, _ = model.loss(EXAMPLES)
        loss.backward()
        opt.step()
    assert float(loss.detach()) < first / 3
    model.eval()
    preds = model.predict(EXAMPLES)
    assert [s[:3] for s in preds[0]] == [(0, 1, "Chemical"), (2, 3, "Disease")]
    assert [s[:3] for s in preds[2]] == [(0, 1, "Species"), (3, 4, "Species")]
    # corpus override and plain word lists; only the corpus's own types come back
    assert all(s[2] == "Disease" for s in model.predict([EXAMPLES[0].words], corpus="ncbi")[0])
    with pytest.raises(ModelError, match="no head for corpus"):
        model.predict([["a"]])
    with pytest.raises(ModelError, match="no head for corpus"):
        model.loss([SentenceExample("x", 0, ("a",), (), "nope")])


def test_info_strips_prefixes(tiny_dir: Path) -> None:
    info = _model(tiny_dir).info()
    assert info["types"] == ["Cell", "Chemical", "Disease", "Species"]
    assert info["corpora"] == {
        "cdr": ["Chemical", "Disease"],
        "gen": ["Cell"],
        "lin": ["Species"],
        "ncbi": ["Disease"],
    }
    assert info["heads"] == {"cdr": "crf", "ncbi": "crf", "shared": "softmax"}
    assert info["mosaicner_version"]


def test_save_load_round_trip(tiny_dir: Path, tmp_path: Path) -> None:
    model = _model(tiny_dir, max_length=24, stride=6)
    model.eval()
    sentences = [list(ex.words) for ex in EXAMPLES] + [["asthma"] * 30, [], ["\x07", "mice"]]
    before = model.predict_words(sentences, batch_size_tokens=64)
    assert model.last_stats is not None and model.last_stats.windowed_sentences == 1
    assert model.last_stats.fallback_words == 1
    target = model.save(tmp_path / "m", metadata={"corpora": ["cdr"], "metrics": {"f1": 0.5}})
    names = {p.name for p in target.iterdir()}
    assert names == {
        "config.json",
        "model.safetensors",
        "encoder",
        "label_maps.json",
        "training.json",
    }
    assert not list(target.rglob("*.bin")) and not list(target.rglob("*.pt"))
    loaded = load_model(target)
    assert not loaded.training
    assert loaded.predict_words(sentences, batch_size_tokens=64) == before
    assert loaded.predict(EXAMPLES) == model.predict(EXAMPLES)
    assert loaded.info()["corpora"] == model.info()["corpora"]
    assert loaded.metadata["metrics"] == {"f1": 0.5}
    assert loaded.label_maps == {"cdr": {"CHEM": "Chemical"}}
    assert loaded.encoder.config == model.encoder.config
    # a training-run directory with a model/ folder loads too
    run = tmp_path / "run"
    run.mkdir()
    (target).rename(run / "model")
    assert load_model(run).routes == model.routes


def test_predict_words_batches_and_merges(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    model.eval()
    sents = [list(ex.words) for ex in EXAMPLES] * 2
    one = model.predict_words(sents, batch_size_tokens=24)
    many = model.predict_words(sents, batch_size_tokens=100_000)
    assert len(one) == len(sents)
    for a, b in zip(one, many, strict=True):
        assert [s[:3] for s in a] == [s[:3] for s in b]
        assert [s[3] for s in a] == pytest.approx([s[3] for s in b], abs=1e-4)
        assert len({s[:3] for s in a}) == len(a)
    assert _merge(
        [(0, 1, "Disease", 0.3), (0, 1, "Disease", 0.9), (0, 2, "Chemical", 0.5)], None
    ) == [(0, 2, "Chemical", 0.5), (0, 1, "Disease", 0.9)]


def test_token_batches_respect_budget(tiny_dir: Path) -> None:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(tiny_dir)))
    encoded = enc.encode_batch([["the"] * n for n in (1, 9, 3, 30, 5, 2)])
    batches = token_batches(encoded, max_tokens=40, max_sentences=3)
    assert sorted(i for b in batches for i in b) == list(range(6))
    for b in batches:
        width = max(encoded[i].padded_length() for i in b)
        assert len(b) <= 3 and (len(b) == 1 or len(b) * width <= 40)


def test_bad_model_directories(tiny_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"no config\.json"):
        load_model(tmp_path / "empty")
    target = _model(tiny_dir).save(tmp_path / "m")
    cfg_path = target / "config.json"
    good = cfg_path.read_text()
    cfg_path.write_text("{not json")
    with pytest.raises(ModelError, match="invalid JSON"):
        load_model(target)
    cfg = json.loads(good)
    cfg["heads"]["cdr"]["type"] = "quantum"
    cfg_path.write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="cannot rebuild head 'cdr'"):
        load_model(target)
    cfg = json.loads(good)
    cfg["heads"]["cdr"]["labels"] = ["Chemical"]
    cfg_path.write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="weights do not match"):
        load_model(target)
    cfg_path.write_text(good)
    (target / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="no weights"):
        load_model(target)


def test_routes_must_name_heads(tiny_dir: Path) -> None:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(tiny_dir)))
    head = build_head("crf", enc.hidden_size, ["X"])
    with pytest.raises(ConfigError, match="do not exist"):
        MultiTaskModel(enc, {"a": head}, {"c": "b"})


def test_corpus_view_drops_other_corpora_prefixed_labels(tiny_dir: Path) -> None:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(tiny_dir), dropout=0.0))
    labels = ["gen$Species", "lin$Species"]
    head = build_head("softmax", enc.hidden_size, labels, {"gen": labels[:1], "lin": labels[1:]})
    assert isinstance(head, SoftmaxHead)
    with torch.no_grad():
        head.proj.weight.zero_()
        head.proj.bias.fill_(-5.0)
        head.proj.bias[head.tagset.index["B-gen$Species"]] = 5.0  # gen's Species everywhere
    model = MultiTaskModel(enc, {"shared": head}, {"gen": "shared", "lin": "shared"})
    model.eval()
    words = [["human", "mice"]]
    assert model.predict(words, corpus="lin") == [[]]
    assert [s[:3] for s in model.predict(words, corpus="gen")[0]] == [
        (0, 1, "Species"),
        (1, 2, "Species"),
    ]
    assert [s[:3] for s in model.predict_words(words)[0]] == [(0, 1, "Species"), (1, 2, "Species")]


def test_predict_words_by_head_names_heads_and_shared_head_corpora(tiny_dir: Path) -> None:
    model = _model(tiny_dir)
    model.eval()
    with torch.no_grad():  # make every head answer something on a random encoder
        for p in model.heads.parameters():
            p.add_(torch.randn_like(p) * 2.0)
    sents = [list(ex.words) for ex in EXAMPLES] * 3
    by_head = model.predict_words_by_head(sents, batch_size_tokens=24)
    merged = model.predict_words(sents, batch_size_tokens=24)
    sources = {src for spans in by_head for *_, src in spans}
    assert sources <= {"cdr", "ncbi", "lin", "gen"} and sources & {"lin", "gen"}
    for spans in by_head:
        for _s, _e, label, _score, src in spans:
            assert "$" not in label
            if src in ("lin", "gen"):  # the shared head reports the corpus of the label
                assert label == {"lin": "Species", "gen": "Cell"}[src]
    # the unmerged view holds exactly the spans predict_words merged (best score each)
    for raw, flat in zip(by_head, merged, strict=True):
        best: dict[tuple[int, int, str], float] = {}
        for s, e, label, score, _ in raw:
            best[(s, e, label)] = max(score, best.get((s, e, label), float("-inf")))
        assert {k: round(v, 4) for k, v in best.items()} == {
            (s, e, lab): round(sc, 4) for s, e, lab, sc in flat
        }
