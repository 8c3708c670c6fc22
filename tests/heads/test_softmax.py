from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from mosaicner.heads import SoftmaxHead, build_head
from mosaicner.heads.base import WordFeatures


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # tiny models run faster on one thread, and the machine is shared
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _features(batch: int, width: int, lengths: list[int], hidden: int = 6) -> WordFeatures:
    words = torch.randn(batch, width, hidden)
    mask = torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]
    return WordFeatures(words, mask, torch.zeros(batch, hidden), torch.zeros(batch, hidden))


def test_registered_and_trains_to_gold() -> None:
    torch.manual_seed(0)
    head = build_head("softmax", 6, ["X", "Y"], {"c": ["X", "Y"]}, dropout=0.0)
    assert isinstance(head, SoftmaxHead)
    feats = _features(2, 5, [5, 3])
    gold = [[(0, 2, "X"), (3, 4, "Y")], [(1, 3, "Y")]]
    opt = torch.optim.Adam(head.parameters(), lr=0.1)
    for _ in range(40):
        opt.zero_grad()
        head.loss(feats, gold, ["c", "c"]).backward()
        opt.step()
    head.eval()
    with torch.inference_mode():
        pred = head.decode(feats)
    assert [[s[:3] for s in p] for p in pred] == [[(0, 2, "X"), (3, 4, "Y")], [(1, 3, "Y")]]
    assert all(0.5 < s[3] <= 1.0 for p in pred for s in p)


def test_loss_ignores_padding_and_averages_per_sentence() -> None:
    head = SoftmaxHead(6, ["X"], dropout=0.0)
    feats = _features(2, 4, [4, 1])
    loss = head.loss(feats, [[(0, 1, "X")], []], ["c", "c"])
    logp = head.logits(feats).log_softmax(-1)
    b, o = head.tagset.index["B-X"], head.tagset.index["O"]
    expect = -(logp[0, 0, b] + logp[0, 1:, o].sum() + logp[1, 0, o]) / 2
    assert torch.allclose(loss, expect)


def test_decode_repairs_dangling_inside_tags() -> None:
    head = SoftmaxHead(6, ["X", "Y"], dropout=0.0)
    with torch.no_grad():
        head.proj.weight.zero_()
        head.proj.bias.fill_(-5.0)
        head.proj.bias[head.tagset.index["I-X"]] = 5.0  # I-X everywhere, never B-X
    head.eval()
    with torch.inference_mode():
        pred = head.decode(_features(1, 3, [3]))
    assert [s[:3] for s in pred[0]] == [(0, 3, "X")]
