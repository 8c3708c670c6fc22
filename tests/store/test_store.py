"""The local model store: install, list, info, resolve by name, remove, model card, hub push/pull
through a local stand-in of huggingface_hub's HfApi (never the network)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mosaicner.errors import ConfigError, MissingFileError, ModelError
from mosaicner.store import (
    install_model,
    installed_names,
    list_models,
    model_info,
    pull_model,
    push_model,
    recipe_names,
    recipe_path,
    remove_model,
    resolve_model,
    store_home,
)


def fake_model(folder: Path, *, results: bool = False) -> Path:
    """A model folder's JSON files (enough for the torch-free store; no weights needed)."""
    folder.mkdir(parents=True)
    config = {
        "format": "mosaicner-model",
        "routes": {"BC5CDR": "BC5CDR", "linnaeus": "shared", "BC2GM": "shared"},
        "heads": {
            "BC5CDR": {"type": "crf", "labels": ["Chemical", "Disease"]},
            "shared": {"type": "sru", "labels": ["linnaeus$Species", "BC2GM$Gene_or_protein"]},
        },
        "encoder": {"name": "tiny"},
    }
    (folder / "config.json").write_text(json.dumps(config))
    training = {
        "corpora": {
            "BC5CDR": {"types": ["Chemical", "Disease"], "source": "BC5CDR", "train_sentences": 9},
            "linnaeus": {"types": ["Species"], "source": "linnaeus", "train_sentences": 4},
            "BC2GM": {"types": ["Gene_or_protein"], "source": "BC2GM", "train_sentences": 5},
        },
        "step": 3,
        "mosaicner_config": {"trainer": {"max_steps": 3}, "encoder": {"name": "tiny"}},
    }
    (folder / "training.json").write_text(json.dumps(training))
    (folder / "model.safetensors").write_bytes(b"\0" * 16)
    if results:
        reports = {
            "BC5CDR": {"split": "test", "micro": {"precision": 0.5, "recall": 0.25, "f1": 1 / 3}}
        }
        (folder.parent / "results.json").write_text(json.dumps({"reports": reports}))
    return folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOSAICNER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_home_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOSAICNER_HOME", str(tmp_path / "h"))
    assert store_home() == tmp_path / "h"
    monkeypatch.delenv("MOSAICNER_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert store_home().name == "mosaicner"
    assert str(store_home()).startswith(str(tmp_path))


def test_install_list_info_resolve_remove(home: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    fake_model(run / "model", results=True)
    target = install_model(run, "mini")  # a run folder: model/ and results.json
    assert target == home / "models" / "mini"
    assert (target / "results.json").is_file() and (target / "store.json").is_file()
    assert installed_names() == ["mini"]
    (entry,) = list_models()
    assert entry.types == ["Chemical", "Disease", "Gene_or_protein", "Species"]
    assert entry.corpora == ["BC2GM", "BC5CDR", "linnaeus"]
    info = model_info("mini")
    assert info["figures"]["BC5CDR"]["f1"] == pytest.approx(1 / 3)
    assert info["store"]["origin"] == str(run.resolve())
    # names resolve in the store; an existing path wins over a name
    assert resolve_model("mini") == target
    (tmp_path / "mini").mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert resolve_model("mini") == Path("mini")
    finally:
        os.chdir(cwd)
    with pytest.raises(ConfigError, match="already installed"):
        install_model(run, "mini")
    install_model(run / "model", "mini", overwrite=True)
    with pytest.raises(MissingFileError, match="one of the installed models: mini"):
        resolve_model("nope")
    remove_model("mini")
    assert installed_names() == []
    with pytest.raises(MissingFileError, match=r"\(none installed\)"):
        remove_model("mini")


def test_model_card(home: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    fake_model(run / "model", results=True)
    card = (install_model(run, "mini") / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: mosaicner")
    assert "Chemical, Disease, Gene_or_protein, Species" in card
    assert "CC BY 4.0 (texts: PMC OA articles)" in card  # linnaeus, from the registry
    assert "| BC5CDR | test | 50.00 | 25.00 | 33.33 |" in card
    assert "steps: 3" in card
    no_results = install_model(run / "model", "bare") / "README.md"
    assert "No evaluation results were stored" in no_results.read_text()


def test_bad_names_and_folders(home: Path, tmp_path: Path) -> None:
    fake_model(tmp_path / "m")
    for bad in ("../x", "a/b", "", "-x"):
        with pytest.raises(ConfigError, match="invalid model name"):
            install_model(tmp_path / "m", bad)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"no config\.json"):
        install_model(tmp_path / "empty", "x")


class FakeHub:
    """A local stand-in for huggingface_hub.HfApi: repositories are folders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def create_repo(self, **kw: Any) -> str:
        self.calls.append(("create_repo", kw))
        (self.root / kw["repo_id"]).mkdir(parents=True, exist_ok=True)
        return kw["repo_id"]

    def upload_folder(self, **kw: Any) -> str:
        self.calls.append(("upload_folder", kw))
        ignore = shutil.ignore_patterns(*(kw.get("ignore_patterns") or []))
        shutil.copytree(
            kw["folder_path"], self.root / kw["repo_id"], ignore=ignore, dirs_exist_ok=True
        )
        return f"https://hub.invalid/{kw['repo_id']}/commit/1"

    def snapshot_download(self, **kw: Any) -> str:
        self.calls.append(("snapshot_download", kw))
        src = self.root / kw["repo_id"]
        if not src.is_dir():
            raise FileNotFoundError(kw["repo_id"])
        shutil.copytree(src, kw["local_dir"], dirs_exist_ok=True)
        return str(kw["local_dir"])


def test_push_pull_round_trip(home: Path, tmp_path: Path) -> None:
    hub = FakeHub(tmp_path / "hub")
    fake_model(tmp_path / "m")
    install_model(tmp_path / "m", "mini")
    url = push_model("mini", "me/mini", api=hub)
    assert url.endswith("/commit/1")
    pushed = tmp_path / "hub" / "me" / "mini"
    assert (pushed / "README.md").is_file() and not (pushed / "store.json").exists()
    path = pull_model("me/mini", "copy", api=hub)
    assert installed_names() == ["copy", "mini"]
    assert json.loads((path / "store.json").read_text())["origin"] == "hf://me/mini"
    assert (path / "model.safetensors").read_bytes() == (
        home / "models/mini/model.safetensors"
    ).read_bytes()
    with pytest.raises(MissingFileError):
        push_model("absent", "me/x", api=hub)


def test_recipes_are_shipped_and_keep_genia_and_jnlpba_apart() -> None:
    from mosaicner.training.config import load_config

    assert {"mosaic", "mosaic-quick"} <= set(recipe_names())
    shared = {
        "BC2GM",
        "BC5CDR",
        "NCBI-disease",
        "linnaeus",
        "AnatEM",
        "BioNLP13CG",
        "JNLPBA",
        "GENIA-nested",
    }
    for name in ("mosaic", "mosaic-quick"):
        cfg = load_config(recipe_path(name))
        assert {c.key for c in cfg.corpora} == shared
        assert all(c.head == "crf" and c.shared_head is None for c in cfg.corpora)
        splits = {c.key: c.splits for c in cfg.corpora}
        # JNLPBA devel is GENIA-nested test and GENIA-nested dev lies in JNLPBA train:
        # neither is read, so no model is selected or scored on text the other trained on
        assert splits["JNLPBA"].dev is None and splits["GENIA-nested"].dev is None
        assert splits["JNLPBA"].train == "train" and splits["GENIA-nested"].train == "train"
    with pytest.raises(ConfigError, match="unknown recipe"):
        recipe_path("mosiac")
