"""Training loop: save/load parity, exact resume after a kill, figures reproducible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from mosaicner.training.config import config_from_dict
from mosaicner.training.evaluate import predict_examples
from mosaicner.training.loop import Trainer
from mosaicner.training.run import evaluate_corpus, load_trained, train_and_evaluate


class Killed(RuntimeError):
    pass


def _weights(model_dir: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(model_dir / "model.safetensors"))


def test_saved_model_predicts_like_the_trained_one(tiny_config: Any, tmp_path: Path) -> None:
    # one evaluation at the last step, so the saved (best) model is the final in-memory one
    cfg = config_from_dict(tiny_config(eval_every=8))
    trainer = Trainer(cfg, tmp_path / "run", progress=False)
    result = trainer.run()
    assert result.best_step == 8
    loaded = load_trained(result.model_dir)
    from mosaicner.training.data import prepare_corpus

    for spec in cfg.corpora:
        exs = prepare_corpus(spec, roles=("test",)).examples("test")
        assert predict_examples(trainer.model, exs) == predict_examples(loaded.model, exs)
    assert (tmp_path / "run" / "config.yaml").is_file()
    records = [
        json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().split("\n") if x
    ]
    assert {r["event"] for r in records} == {"train", "dev"}


@pytest.mark.parametrize("per_corpus", [False, True])
def test_killed_run_resumes_to_the_same_result(
    tiny_config: Any, tmp_path: Path, per_corpus: bool
) -> None:
    cfg = config_from_dict(tiny_config(checkpoint_every=2, keep_best_per_corpus=per_corpus))
    _, full = train_and_evaluate(cfg, tmp_path / "full", progress=False, n_resamples=0)

    def kill(step: int, info: dict[str, Any]) -> None:
        if step == 5:
            raise Killed

    with pytest.raises(Killed):
        train_and_evaluate(cfg, tmp_path / "part", on_step=kill, progress=False, n_resamples=0)
    assert (tmp_path / "part" / "checkpoints" / "last.safetensors").is_file()
    _, resumed = train_and_evaluate(cfg, tmp_path / "part", progress=False, n_resamples=0)
    # identical reports; only the folder each was scored from differs (full/ vs part/)
    for reports, run in ((full, "full"), (resumed, "part")):
        for name, rep in reports.items():
            own = tmp_path / run / "best" / name if per_corpus else tmp_path / run / "model"
            assert rep.pop("model_dir") == str(own)
    assert resumed == full
    a, b = _weights(tmp_path / "full" / "model"), _weights(tmp_path / "part" / "model")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # the dev history after resuming matches the uninterrupted run
    hist = [
        [json.loads(x) for x in (tmp_path / d / "metrics.jsonl").read_text().splitlines()]
        for d in ("full", "part")
    ]
    dev = [[(r["step"], r["f1"]) for r in h if r["event"] == "dev"] for h in hist]
    assert dev[0] == dev[1]


def test_evaluate_reproduces_training_figures(
    tiny_setup: dict[str, Any], tiny_config: Any, tmp_path: Path
) -> None:
    cfg = config_from_dict(tiny_config(max_steps=4, eval_every=2))
    _, reports = train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=50)
    loaded = load_trained(tmp_path / "run")
    for name, rep in reports.items():
        again = evaluate_corpus(loaded, name, "test", n_resamples=50)
        assert again["micro"] == rep["micro"]
        assert again["ci95"] == rep["ci95"]
    # a corpus the model never saw needs a head; a type map renames the model's types
    tm = tmp_path / "map.yaml"
    tm.write_text("Disease: Chemical\n", encoding="utf-8")
    other = evaluate_corpus(
        loaded, str(tiny_setup["chem"]), "test", head="dis", type_map=tm, n_resamples=0
    )
    assert other["types"] == ["Chemical"]


def test_transfer_modes(tiny_setup: dict[str, Any], tiny_config: Any, tmp_path: Path) -> None:
    from mosaicner.training.phases import plan_phases

    data = tiny_config(max_steps=2, eval_every=2)
    data.update({"mode": "transfer-a", "target": str(tiny_setup["dis"].name)})
    data["transfer"] = {"stage1_steps": 2}
    cfg = config_from_dict(data)
    phases = plan_phases(cfg)
    assert [(p.name, p.corpora, p.steps, p.select) for p in phases] == [
        ("auxiliary", ["chem"], 2, False),
        ("target", ["dis"], 2, True),
    ]
    result = Trainer(cfg, tmp_path / "a", progress=False).run()
    assert result.steps == 4 and result.best_step == 2  # best_step counts within the phase
    # transfer-b: the encoder of run "a", fresh heads, then MTL
    data = tiny_config(max_steps=2, eval_every=2)
    data.update({"mode": "transfer-b", "transfer": {"init_from": str(tmp_path / "a")}})
    trainer = Trainer(config_from_dict(data), tmp_path / "b", progress=False)
    before = load_trained(tmp_path / "a").model.encoder.state_dict()
    from mosaicner.training.build import build_model
    from mosaicner.training.data import prepare_corpus

    cfg_b = config_from_dict(data)
    model = build_model(cfg_b, [prepare_corpus(c, roles=("train",)) for c in cfg_b.corpora])
    for key, value in before.items():
        assert torch.equal(model.encoder.state_dict()[key], value), key
    trainer.run()


def test_keep_best_per_corpus(tiny_config: Any, tmp_path: Path) -> None:
    cfg = config_from_dict(tiny_config(max_steps=8, eval_every=2, keep_best_per_corpus=True))
    _, reports = train_and_evaluate(cfg, tmp_path / "run", progress=False, n_resamples=20)
    dev = [
        json.loads(x)
        for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
        if '"event": "dev"' in x
    ]
    assert len(dev) == 4
    for name, rep in reports.items():
        folder = tmp_path / "run" / "best" / name
        assert rep["model_dir"] == str(folder)
        # the snapshot comes from the first evaluation where this corpus's dev F1 peaked
        scores = [d["f1"][name] for d in dev]
        expected = dev[scores.index(max(scores))]["step"]
        meta = json.loads((folder / "training.json").read_text(encoding="utf-8"))
        assert meta["step"] == expected, (name, scores)
        assert meta["selected_on"] == name
        # and its figure is what `mosaicner evaluate best/NAME` prints
        again = evaluate_corpus(load_trained(folder), name, "test", n_resamples=20)
        assert again["micro"] == rep["micro"]


def test_resumed_run_writes_each_metric_record_once(tiny_config: Any, tmp_path: Path) -> None:
    # log every 2 steps, checkpoint at 4 and 8: killed at 6, the record of step 6 is written
    # before the kill and again by the resumed run (from step 4) unless it is dropped
    cfg = config_from_dict(tiny_config(checkpoint_every=4, log_every=2))
    Trainer(cfg, tmp_path / "full", progress=False).run()

    def kill(step: int, info: dict[str, Any]) -> None:
        if step == 6:
            raise Killed

    with pytest.raises(Killed):
        Trainer(cfg, tmp_path / "part", on_step=kill, progress=False).run()
    Trainer(cfg, tmp_path / "part", progress=False).run()
    keys = [
        [
            (r["event"], r["phase"], r["step"])
            for r in map(json.loads, (tmp_path / d / "metrics.jsonl").read_text().splitlines())
        ]
        for d in ("full", "part")
    ]
    assert keys[1] == keys[0]
    assert len(set(keys[1])) == len(keys[1])


def test_two_phase_run_resumes_exactly(
    tiny_setup: dict[str, Any], tiny_config: Any, tmp_path: Path
) -> None:
    # transfer-a: killed in the target phase, between its checkpoints
    data = tiny_config(max_steps=6, eval_every=4, log_every=1)
    data.update({"mode": "transfer-a", "target": str(tiny_setup["dis"].name)})
    data["transfer"] = {"stage1_steps": 4}
    cfg = config_from_dict(data)
    Trainer(cfg, tmp_path / "full", progress=False).run()

    def kill(step: int, info: dict[str, Any]) -> None:
        if info["phase"] == "target" and step == 5:
            raise Killed

    with pytest.raises(Killed):
        Trainer(cfg, tmp_path / "part", on_step=kill, progress=False).run()
    Trainer(cfg, tmp_path / "part", progress=False).run()
    a, b = _weights(tmp_path / "full" / "model"), _weights(tmp_path / "part" / "model")
    for key in a:
        assert torch.equal(a[key], b[key]), key
    records = [
        [
            (r["event"], r["phase"], r["step"], r.get("loss"))
            for r in map(json.loads, (tmp_path / d / "metrics.jsonl").read_text().splitlines())
        ]
        for d in ("full", "part")
    ]
    assert records[1] == records[0]
