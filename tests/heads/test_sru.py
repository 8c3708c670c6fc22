from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import yaml

from mosaicner.heads import build_head
from mosaicner.heads.base import WordFeatures
from mosaicner.heads.sru import SRUHead
from mosaicner.testing.corpora import write_tiny_corpus

H = 16


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Tiny tensors: one thread is much faster than several on a shared machine."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def feats(lengths: list[int], seed: int = 0) -> WordFeatures:
    g = torch.Generator().manual_seed(seed)
    width = max(lengths)
    words = torch.randn(len(lengths), width, H, generator=g)
    mask = torch.arange(width)[None] < torch.tensor(lengths)[:, None]
    words = words * mask[..., None]
    cls = torch.randn(len(lengths), H, generator=g)
    sep = torch.randn(len(lengths), H, generator=g)
    return WordFeatures(words, mask, cls, sep)


def select(f: WordFeatures, i: int) -> WordFeatures:
    n = int(f.mask[i].sum())
    return WordFeatures(
        f.words[i : i + 1, :n], f.mask[i : i + 1, :n], f.cls[i : i + 1], f.sep[i : i + 1]
    )


def two_corpus_head(**opts: object) -> SRUHead:
    head = build_head("sru", H, ["Chem", "Dis"], {"A": ["Chem"], "B": ["Dis"]}, **opts)
    assert isinstance(head, SRUHead)
    return head


def test_label_space_and_rebuild() -> None:
    head = two_corpus_head()
    assert head.vocab.labels == ("A$Chem", "B$Dis")
    assert len(head.vocab) == 6
    cfg = head.export_config()
    again = build_head(cfg["type"], H, cfg["labels"], cfg["corpus_labels"], **cfg["options"])
    assert isinstance(again, SRUHead) and again.vocab.labels == head.vocab.labels
    uni = two_corpus_head(label_space="unified")
    assert uni.vocab.labels == ("Chem", "Dis")
    # corpus A does not annotate Dis: its TRANSITION/REDUCE are foreign for A's sentences
    foreign = uni._foreign(["A", "B", "unknown"], 3, torch.device("cpu"))
    assert foreign[0].nonzero().flatten().tolist() == [4, 5]
    assert foreign[1].nonzero().flatten().tolist() == [2, 3]
    assert not bool(foreign[2].any())
    spans = [(0, 1, "A$Chem", 0.9), (0, 1, "B$Chem", 0.8), (2, 3, "B$Dis", 0.7)]
    joined = head.view_spans(spans, "A", "joined")
    assert joined == [(0, 1, "Chem", 0.9), (2, 3, "Dis", 0.7)]
    sep = head.view_spans(spans, "A", "separate")
    assert (0, 1, "Chem", 0.9) in sep and (2, 3, "B$Dis", 0.7) in sep


@pytest.mark.parametrize(
    "extra",
    [{}, {"pointer_reads": "slot", "action_embed_std": 0.1, "positive_weight": 3.0}],
)
def test_overfits_nested_and_decodes(extra: dict[str, object]) -> None:
    torch.manual_seed(0)
    head = build_head("sru", H, ["P", "D"], {"G": ["P", "D"]}, decoder_size=24, **extra)
    f = feats([6, 4, 3])
    gold = [
        [(1, 5, "D"), (1, 3, "P"), (2, 3, "D")],
        [(0, 1, "P"), (1, 2, "P"), (3, 4, "D")],  # adjacent, and one ending at the last word
        [],
    ]
    corpora = ["G", "G", "G"]
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(150):
        opt.zero_grad()
        loss = head.loss(f, gold, corpora)
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.05
    head.eval()
    with torch.inference_mode():
        pred = head.decode(f, corpora)
    assert [{s[:3] for s in p} for p in pred] == [set(g) for g in gold]
    assert all(0.5 < s[3] <= 1.0 for p in pred for s in p)


def test_batch_equals_single_sentences() -> None:
    torch.manual_seed(1)
    head = two_corpus_head(decoder_size=20)
    head.eval()
    f = feats([5, 2, 7], seed=3)
    gold = [[(0, 2, "Chem")], [(1, 2, "Dis")], [(3, 6, "Chem")]]
    corpora = ["A", "B", "A"]
    with torch.no_grad():
        loss, tr = head.forward_train(f, gold, corpora, trace=True)
        assert tr is not None
        total = float(loss) * tr.rows
        parts = 0.0
        for i in range(3):
            li, ti = head.forward_train(select(f, i), gold[i : i + 1], corpora[i : i + 1], True)
            assert ti is not None
            parts += float(li) * ti.rows
        assert total == pytest.approx(parts, rel=1e-5)
        batch_pred = head.decode_full(f)
        single = [head.decode_full(select(f, i))[0] for i in range(3)]
    for a, b in zip(batch_pred, single, strict=True):
        assert [x[:3] for x in a] == [x[:3] for x in b]


def _foreign_grads(dynamic: bool) -> tuple[list[float], list[float], SRUHead, int]:
    torch.manual_seed(2)
    head = two_corpus_head(dynamic_loss=dynamic, mlp_dropout=0.0)
    with torch.no_grad():
        head.action_embed.weight.zero_()  # cut the write path: logits only feed their own BCE
    f = feats([4, 5])
    gold = [[(0, 2, "Chem")], [(1, 3, "Chem")]]
    loss, tr = head.forward_train(f, gold, ["A", "A"], trace=True)
    loss.backward()
    assert tr is not None
    foreign_cols = [head.vocab.transition_id("B$Dis"), head.vocab.reduce_id("B$Dis")]
    on_non_eoa: list[float] = []
    on_eoa: list[float] = []
    steps = head.gold_timesteps(gold, ["A", "A"], [4, 5])
    for b, seq in enumerate(steps):
        cursor = 0
        for t, logits in enumerate(tr.logits):
            if cursor >= len(seq):
                break
            grad = logits.grad
            assert grad is not None
            vals = [abs(float(grad[b, c])) for c in foreign_cols]
            (on_eoa if 0 in seq[cursor] else on_non_eoa).extend(vals)
            if not bool(tr.deferred_per_step[t][b]):
                cursor += 1
    return on_non_eoa, on_eoa, head, tr.deferred


def test_foreign_gradients_exactly_zero_with_dynamic_loss() -> None:
    non_eoa, eoa, _, _ = _foreign_grads(True)
    assert non_eoa and all(v == 0.0 for v in non_eoa)
    assert any(v > 0.0 for v in eoa)  # foreign actions are pushed down on EOA rows only


def test_foreign_gradients_nonzero_without_dynamic_loss() -> None:
    non_eoa, _, _, deferred = _foreign_grads(False)
    assert all(v > 0.0 for v in non_eoa)
    assert deferred == 0


def test_shift_deferred_once_when_foreign_action_outranks_it() -> None:
    torch.manual_seed(3)
    for dynamic in (True, False):
        head = two_corpus_head(dynamic_loss=dynamic, mlp_dropout=0.0)
        with torch.no_grad():
            head.mlp[-1].bias[head.vocab.transition_id("B$Dis")] = 30.0
            head.mlp[-1].bias[1] = -5.0  # SHIFT
        f = feats([3, 4])
        gold = [[(0, 1, "Chem")], []]
        _, tr = head.forward_train(f, gold, ["A", "A"], trace=True)
        assert tr is not None
        shifts = 3 + 4
        gold_rows = (1 + 3 + 1 + 1) + (4 + 1)  # TR, 3 SHIFT, RE, EOA | 4 SHIFT, EOA
        if dynamic:
            assert tr.deferred == shifts
            assert tr.rows == gold_rows + shifts
        else:
            assert tr.deferred == 0 and tr.rows == gold_rows


def test_decode_caps_steps_and_handles_empty() -> None:
    torch.manual_seed(4)
    head = two_corpus_head()
    head.eval()
    with torch.no_grad():
        head.mlp[-1].bias[head.vocab.transition_id("A$Chem")] = 50.0  # never SHIFT, never stop
    f = feats([3, 1])
    with torch.inference_mode():
        rows, lengths, _ = head.step_scores(f)
        out = head.decode(f, ["A", "B"])
    assert [r.shape[0] for r in rows] == [8, 5]  # ceil(1.5 * (n + 2))
    assert lengths == [3, 1] and out == [[], []]


def _write_corpus(folder: Path, entities: list[str], label: str, seed: int) -> Path:
    return write_tiny_corpus(
        folder, entities, label, seed, (("train", 24), ("devel", 6), ("test", 6))
    )


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from mosaicner.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_shared_sru_head_trains_through_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two corpora with different types share one SRU head: train, evaluate, views, ood."""
    from mosaicner.testing.tiny import make_tiny_encoder

    enc = make_tiny_encoder(tmp_path / "encoder")
    dis = _write_corpus(tmp_path / "dis", ["cancer", "asthma", "tumor"], "Disease", 1)
    chem = _write_corpus(tmp_path / "chem", ["aspirin", "il-2", "drug"], "Chemical", 2)
    cfg = {
        "corpora": [
            {"name": str(dis), "label_map": "original", "shared_head": "sru"},
            {"name": str(chem), "label_map": "original", "shared_head": "sru"},
        ],
        "encoder": {"name": str(enc), "dropout": 0.0, "pooling": "max"},
        "heads": {"shared": {"sru": {"type": "sru", "options": {"decoder_size": 16}}}},
        "trainer": {"max_steps": 4, "eval_every": 4, "log_every": 2},
        "batching": {"max_tokens": 200, "max_sentences": 8},
        "optimizer": {"encoder_lr": 1e-3, "head_lr": 1e-2, "warmup_ratio": 0.0},
        "num_threads": 1,
        "seed": 3,
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    run_dir = tmp_path / "run"
    code, _, err = _run(["train", str(path), "--output", str(run_dir), "--quiet"], capsys)
    assert code == 0, err
    saved = json.loads((run_dir / "model" / "config.json").read_text())
    assert saved["heads"]["sru"]["action_labels"] == ["chem$Chemical", "dis$Disease"]
    code, out, err = _run(
        ["views", str(run_dir), "--corpus", str(dis), "--split", "test", "--format", "json"],
        capsys,
    )
    assert code == 0, err
    res = json.loads(out)
    assert {"separate", "joined", "global_predictions"} <= set(res)
    ood_file = tmp_path / "ood.tsv"
    code, out, err = _run(
        ["ood", str(run_dir), "--corpus", str(dis), "--output", str(ood_file)], capsys
    )
    assert code == 0, err
    assert ood_file.read_text().startswith("corpus\tdoc_id")
