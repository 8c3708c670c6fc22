from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from mosaicner.encoders import EncoderConfig, EncoderStats, TransformerEncoder
from mosaicner.encoders.pieces import _windows
from mosaicner.errors import ConfigError
from mosaicner.testing.tiny import make_tiny_encoder


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # tiny models run faster on one thread, and the machine is shared
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


WORDS = ["the", "patient", "xyzzy", "il-2", "aspirin", "induced", "asthma", "."]


@pytest.fixture(scope="module")
def bert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_encoder(tmp_path_factory.mktemp("tiny") / "bert")


@pytest.fixture(scope="module")
def roberta_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_encoder(tmp_path_factory.mktemp("tiny") / "roberta", kind="roberta")


def _encoder(path: Path, **opts: object) -> TransformerEncoder:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(path), dropout=0.0, **opts))
    enc.eval()
    return enc


def _raw_hidden(enc: TransformerEncoder, ids: list[int]) -> torch.Tensor:
    full = torch.tensor([enc.prefix_ids + ids + enc.suffix_ids])
    with torch.inference_mode():
        return enc.transformer(input_ids=full).last_hidden_state[0]


@pytest.mark.parametrize("kind", ["bert", "roberta"])
@pytest.mark.parametrize("pooling", ["first", "mean", "max"])
def test_pooling_matches_manual_computation(
    kind: str, pooling: str, bert_dir: Path, roberta_dir: Path
) -> None:
    enc = _encoder(bert_dir if kind == "bert" else roberta_dir, pooling=pooling)
    e = enc.encode(WORDS)
    assert e.num_words == len(WORDS)
    assert any(b - a > 1 for a, b in zip(e.word_starts, e.word_ends, strict=True))
    hidden = _raw_hidden(enc, list(e.piece_ids))
    n_pre = len(enc.prefix_ids)
    with torch.inference_mode():
        feats = enc([e, enc.encode(["a"])])
    assert feats.words.shape == (2, len(WORDS), enc.hidden_size)
    assert feats.mask.tolist()[1] == [True] + [False] * (len(WORDS) - 1)
    for w, (a, b) in enumerate(zip(e.word_starts, e.word_ends, strict=True)):
        piece = hidden[n_pre + a : n_pre + b]
        expect = {
            "first": piece[0],
            "mean": piece.mean(0),
            "max": piece.max(0).values,
        }[pooling]
        assert torch.allclose(feats.words[0, w], expect, atol=1e-5)
    assert torch.allclose(feats.cls[0], hidden[0], atol=1e-5)
    assert torch.allclose(feats.sep[0], hidden[-1], atol=1e-5)
    assert torch.all(feats.words[1, 1:] == 0)


def test_layer_average(bert_dir: Path) -> None:
    enc = _encoder(bert_dir, last_k_layers=2)
    e = enc.encode(WORDS[:3])
    full = torch.tensor([enc.prefix_ids + list(e.piece_ids) + enc.suffix_ids])
    with torch.inference_mode():
        states = enc.transformer(input_ids=full, output_hidden_states=True).hidden_states
        feats = enc([e])
    expect = (states[-1][0] + states[-2][0]) / 2
    assert torch.allclose(feats.words[0, 0], expect[len(enc.prefix_ids)], atol=1e-5)
    assert _encoder(bert_dir, layers=[-2, -3]).layers == [-2, -3]
    with pytest.raises(ConfigError):
        _encoder(bert_dir, layers=[7])


@pytest.mark.parametrize("pooling", ["first", "mean"])
def test_long_sentences_are_windowed_not_truncated(bert_dir: Path, pooling: str) -> None:
    long = (WORDS * 12)[:90]
    small = _encoder(bert_dir, max_length=40, stride=12, pooling=pooling)
    big = _encoder(bert_dir, pooling=pooling)
    e_small, e_big = small.encode(long), big.encode(long)
    assert e_small.windowed and not e_big.windowed
    assert e_small.piece_ids == e_big.piece_ids
    assert all(b - a + small.num_special <= 40 for a, b in e_small.windows)
    # consecutive windows overlap and together cover every subword
    for (a1, b1), (a2, b2) in zip(e_small.windows, e_small.windows[1:], strict=False):
        assert a1 < a2 < b1 < b2
    assert e_small.windows[0][0] == 0 and e_small.windows[-1][1] == e_small.num_pieces
    with torch.inference_mode():
        f_small = small([e_small, small.encode(["a", "b"])])
        f_big = big([e_big])
    assert f_small.words.shape[1] == len(long) and bool(f_small.mask[0].all())
    # every word got a vector from one of its windows: equal to encoding that window alone
    n_pre = len(small.prefix_ids)
    for k, (a, b) in enumerate(e_small.windows):
        hidden = _raw_hidden(small, list(e_small.piece_ids[a:b]))
        for w in [w for w, o in enumerate(e_small.word_window) if o == k]:
            s, e = e_small.word_starts[w] - a, e_small.word_ends[w] - a
            piece = hidden[n_pre + s : n_pre + e]
            expect = piece[0] if pooling == "first" else piece.mean(0)
            assert torch.allclose(f_small.words[0, w], expect, atol=1e-5)
    # a window large enough gives the unwindowed result
    roomy = _encoder(bert_dir, max_length=512, pooling=pooling)
    with torch.inference_mode():
        assert torch.allclose(roomy([roomy.encode(long)]).words, f_big.words, atol=1e-6)
    # running the windows in several chunks changes nothing
    small.max_tokens_per_pass = 40
    with torch.inference_mode():
        chunked = small([e_small, small.encode(["a", "b"])])
    assert torch.allclose(chunked.words, f_small.words, atol=1e-6)
    assert torch.allclose(chunked.sep, f_small.sep, atol=1e-6)
    stats = small.stats
    assert stats.windowed_sentences == 1 and stats.windows == len(e_small.windows) + 1


def test_window_owner_is_most_central_word_position() -> None:
    starts = list(range(20))
    ends = list(range(1, 21))
    windows, owner = _windows(starts, ends, capacity=8, stride=4)
    assert windows[0] == (0, 8)
    for w, k in enumerate(owner):
        a, b = windows[k]
        assert a <= starts[w] and ends[w] <= b
        best = max(
            min(starts[w] - a2, b2 - ends[w])
            for a2, b2 in windows
            if a2 <= starts[w] and ends[w] <= b2
        )
        assert min(starts[w] - a, b - ends[w]) == best


def test_empty_words_get_unk_and_are_counted(bert_dir: Path) -> None:
    enc = _encoder(bert_dir)
    e = enc.encode(["the", "\x07", "", "asthma"])
    assert e.num_words == 4 and e.fallback_words == 2
    assert e.piece_ids[e.word_starts[1]] == enc.unk_id
    assert enc.stats.fallback_words == 2
    with torch.inference_mode():
        feats = enc([e, enc.encode([])])
    assert feats.words.shape[:2] == (2, 4)
    assert feats.mask.sum(1).tolist() == [4, 0]
    assert EncoderStats.of([e]).as_dict()["fallback_words"] == 2


def test_overlong_single_word_keeps_a_vector(bert_dir: Path) -> None:
    enc = _encoder(bert_dir, max_length=16, stride=4)
    e = enc.encode(["a", "x" * 40, "b"])  # 40 single-character pieces
    assert e.truncated_pieces == 40 - enc.capacity
    with torch.inference_mode():
        assert enc([e]).words.shape[1] == 3


def test_cache_and_stats(bert_dir: Path) -> None:
    enc = _encoder(bert_dir)
    first = enc.encode_batch([["the", "patient"], ["a"], ["the", "patient"]])
    assert first[0] is first[2]
    assert enc.stats.sentences == 2
    enc.encode(["a"])
    assert enc.stats.sentences == 2
    enc.encode_batch([["new", "one"]], use_cache=False)
    assert enc.stats.sentences == 2


def test_max_length_above_model_limit_is_rejected(bert_dir: Path) -> None:
    with pytest.raises(ConfigError, match="exceeds"):
        _encoder(bert_dir, max_length=4096)
    with pytest.raises(Exception, match="extra"):
        EncoderConfig(colour="red")  # type: ignore[call-arg]


def test_gradients_flow_through_pooling(bert_dir: Path) -> None:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(bert_dir), pooling="max"))
    feats = enc([enc.encode(WORDS)])
    feats.words.sum().backward()
    grad = enc.transformer.embeddings.word_embeddings.weight.grad
    assert grad is not None and float(grad.abs().sum()) > 0


def test_freezing(bert_dir: Path) -> None:
    enc = TransformerEncoder.from_config(EncoderConfig(name=str(bert_dir), freeze_layers=1))
    frozen = {n for n, p in enc.named_parameters() if not p.requires_grad}
    assert any(".embeddings." in n for n in frozen)
    assert any(".layer.0." in n for n in frozen)
    assert not any(".layer.1." in n for n in frozen)
    feats = enc([enc.encode(WORDS)])
    feats.words.sum().backward()
    assert enc.transformer.embeddings.word_embeddings.weight.grad is None
    with pytest.raises(ConfigError, match="exceeds"):
        TransformerEncoder.from_config(EncoderConfig(name=str(bert_dir), freeze_layers=3))


def test_document_context_is_read_but_gets_no_word_vectors(bert_dir: Path) -> None:
    plain = _encoder(bert_dir)
    ctx = _encoder(bert_dir, context_words=3)
    ctx.load_state_dict(plain.state_dict())
    words = ["aspirin", "induced", "asthma"]
    contexts = [(["the", "patient", "took"], ["and", "then", "recovered", "fully"])]
    alone = plain.encode_batch([words])[0]
    with_ctx = ctx.encode_batch([words], contexts=contexts)[0]
    assert with_ctx.num_words == 3 and with_ctx.num_pieces == alone.num_pieces
    assert with_ctx.context_pieces == len(with_ctx.piece_ids) - alone.num_pieces > 0
    # the sentence's own pieces sit between the context pieces
    a, b = with_ctx.word_starts[0], with_ctx.word_ends[-1]
    assert with_ctx.piece_ids[a:b] == alone.piece_ids
    # exactly 3 context words per side are read ("fully" is not), in document order
    before = plain.encode_batch([contexts[0][0]])[0].piece_ids
    after = plain.encode_batch([contexts[0][1][:3]])[0].piece_ids
    assert with_ctx.piece_ids == before + alone.piece_ids + after
    with torch.inference_mode():
        f_plain = plain([alone])
        f_ctx = ctx([with_ctx])
        f_none = ctx(ctx.encode_batch([words]))
    assert f_ctx.words.shape == f_plain.words.shape
    assert torch.allclose(f_none.words, f_plain.words, atol=1e-5)  # no context: as before
    assert not torch.allclose(f_ctx.words, f_plain.words, atol=1e-4)  # context changes them
    # an encoder without context_words ignores contexts
    same = plain.encode_batch([words], contexts=contexts)[0]
    assert same.piece_ids == alone.piece_ids and same.context_pieces == 0


def test_context_is_trimmed_to_the_window_and_left_out_of_windowed_sentences(
    bert_dir: Path,
) -> None:
    enc = _encoder(bert_dir, context_words=50, max_length=12)  # 10 pieces of room
    words = ["aspirin", "induced", "asthma"]
    left, right = ["the"] * 50, ["and"] * 50
    e = enc.encode_batch([words], contexts=[(left, right)])[0]
    own = e.word_ends[-1] - e.word_starts[0]
    assert len(e.piece_ids) == 10 and e.context_pieces == 10 - own
    assert e.windows == ((0, 10),)
    long = ["aspirin"] * 30  # needs several windows on its own: no context
    e2 = enc.encode_batch([long], contexts=[(left, right)])[0]
    assert e2.context_pieces == 0 and len(e2.windows) > 1


def test_sentences_of_one_document_window_share_one_encoder_pass(bert_dir: Path) -> None:
    enc = _encoder(bert_dir, context_words=20, context_mode="window")
    enc.eval()
    s1, s2 = ["aspirin", "induced", "asthma"], ["the", "patient", "recovered"]
    contexts = [((), tuple(s2)), (tuple(s1), ())]
    e1, e2 = enc.encode_batch([s1, s2], contexts=contexts)
    assert e1.piece_ids == e2.piece_ids  # one window, read whole by both
    assert e1.context_pieces == e2.num_pieces and e2.context_pieces == e1.num_pieces
    runs: list[int] = []
    run = enc._run

    def count(ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        runs.append(int(ids.shape[0]))
        return run(ids, attention)

    enc._run = count  # type: ignore[method-assign]
    with torch.inference_mode():
        both = enc([e1, e2])
        one = enc([e1])
        two = enc([e2])
    assert runs == [1, 1, 1]  # the shared window is one row
    assert torch.allclose(both.words[0, :3], one.words[0, :3], atol=1e-5)
    assert torch.allclose(both.words[1, :3], two.words[0, :3], atol=1e-5)
    # the window changes the vectors: s2 alone reads no context
    with torch.inference_mode():
        alone = enc(enc.encode_batch([s2]))
    assert not torch.allclose(both.words[1, :3], alone.words[0, :3], atol=1e-4)
    # window context is not trimmed to context_words words per side (the window is the limit)
    long_left = tuple(["word"] * 15)
    e3 = enc.encode_batch([s1], contexts=[(long_left, ())])[0]
    assert e3.context_pieces == len(enc.encode_batch([list(long_left)])[0].piece_ids)


def test_a_sentence_break_word_is_read_as_the_separator_token(bert_dir: Path) -> None:
    from mosaicner.data.context import SENTENCE_BREAK

    enc = _encoder(bert_dir)
    e = enc.encode_batch([["aspirin", SENTENCE_BREAK, "asthma"]])[0]
    assert e.num_words == 3
    a, b = e.word_starts[1], e.word_ends[1]
    assert e.piece_ids[a:b] == (enc.suffix_ids[-1],)  # [SEP], one piece
    alone = [enc.encode_batch([[w]])[0].piece_ids for w in ("aspirin", "asthma")]
    assert e.piece_ids == alone[0] + (enc.suffix_ids[-1],) + alone[1]
