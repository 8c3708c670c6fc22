"""Issue 12: a damaged model folder is a clear error naming the file, exit 2 from the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mosaicner.cli.main import main
from mosaicner.errors import ModelError

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mosaicner.testing.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny"))


def _no_tokenizer(m: Path) -> str:
    (m / "encoder" / "tokenizer.json").unlink()
    return "encoder: the encoder folder has no tokenizer vocabulary"


def _foreign_tokenizer(m: Path) -> str:
    (m / "encoder" / "tokenizer.json").unlink()
    (m / "encoder" / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
    return "tokenizer has 5 tokens but the encoder's embedding has"


def _no_encoder_config(m: Path) -> str:
    (m / "encoder" / "config.json").unlink()
    return "encoder/config.json: the encoder folder has no config.json"


def _truncated_weights(m: Path) -> str:
    w = m / "model.safetensors"
    w.write_bytes(w.read_bytes()[:-1000])
    return "model.safetensors: the weights file is damaged"


def _garbage_weights(m: Path) -> str:
    w = m / "model.safetensors"
    data = bytearray(w.read_bytes())
    data[8:40] = b"\x00" * 32
    w.write_bytes(bytes(data))
    return "model.safetensors: the weights file is damaged (header is not JSON"


def _tiny_file_weights(m: Path) -> str:
    (m / "model.safetensors").write_bytes(b"abc")
    return "model.safetensors: the weights file is damaged"


def _config_mismatch(m: Path) -> str:
    cfg = json.loads((m / "config.json").read_text())
    cfg["heads"]["BC5CDR"]["labels"].append("Gene")
    cfg["heads"]["BC5CDR"]["corpus_labels"]["BC5CDR"].append("Gene")
    (m / "config.json").write_text(json.dumps(cfg))
    return "model.safetensors: the weights do not match the model config.json describes"


def _no_config(m: Path) -> str:
    (m / "config.json").unlink()
    return "not a model directory (no config.json)"


def _label_map_other_corpus(m: Path) -> str:
    (m / "label_maps.json").write_text(json.dumps({"NCBI-disease": {"map": {"X": "Disease"}}}))
    return "label_maps.json: label_maps.json has a label map for corpus 'NCBI-disease'"


def _label_map_wrong_targets(m: Path) -> str:
    (m / "label_maps.json").write_text(
        json.dumps({"BC5CDR": {"name": "x", "map": {"Chemical": "Chemical"}}})
    )
    return "the model predicts Disease, which its label map does not produce"


DAMAGES: dict[str, Callable[[Path], str]] = {
    f.__name__.strip("_"): f
    for f in (
        _no_tokenizer,
        _foreign_tokenizer,
        _no_encoder_config,
        _truncated_weights,
        _garbage_weights,
        _tiny_file_weights,
        _config_mismatch,
        _no_config,
        _label_map_other_corpus,
        _label_map_wrong_targets,
    )
}


def _damaged(saved: Path, tmp_path: Path, name: str) -> tuple[Path, str]:
    model = tmp_path / "model"
    shutil.copytree(saved, model)
    return model, DAMAGES[name](model)


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_damaged_folder_is_a_model_error(saved: Path, tmp_path: Path, name: str) -> None:
    from mosaicner.models import load_model

    model, message = _damaged(saved, tmp_path, name)
    with pytest.raises(ModelError) as exc:
        load_model(model)
    assert message in str(exc.value)
    assert exc.value.hint  # says what to do


@pytest.mark.parametrize("name", ["no_tokenizer", "truncated_weights", "config_mismatch"])
def test_tag_exits_2_without_traceback(
    saved: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model, message = _damaged(saved, tmp_path, name)
    src = tmp_path / "in.txt"
    src.write_text("Aspirin induced asthma.\n")
    args = ["tag", str(model), "-i", str(src), "-o", str(tmp_path / "out.jsonl"), "-q"]
    assert _run(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()


def test_evaluate_predict_serve_exit_2(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, message = _damaged(saved, tmp_path, "truncated_weights")
    conll = tmp_path / "in.conll"
    conll.write_text("Aspirin\tO\n\n")
    commands = [
        ["evaluate", str(model), "--corpus", str(conll)],
        ["predict", str(model), "-i", str(conll), "-o", str(tmp_path / "out.conll")],
        ["serve", str(model), "--port", "1"],
    ]
    for args in commands:
        assert _run(args) == 2, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, args


def test_intact_folder_still_loads(saved: Path) -> None:
    from mosaicner.models import load_model

    model = load_model(saved)
    assert model.corpora == ["BC5CDR", "linnaeus"]
