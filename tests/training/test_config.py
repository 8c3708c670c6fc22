from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.errors import ConfigError
from mosaicner.training.config import apply_overrides, config_from_dict, load_config

BASE = {"corpora": [{"name": "A"}, {"name": "B"}], "output_dir": "runs/x"}


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    p = write(tmp_path, "corpora:\n  - name: A\ntrainer:\n  max_step: 3\n")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    text = str(err.value)
    assert "trainer.max_step" in text and str(p) in text


def test_unknown_top_level_and_nested_list_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"corpora\.0\.subsampel"):
        config_from_dict({"corpora": [{"name": "A", "subsampel": 3}]})
    with pytest.raises(ConfigError, match="'optimiser'"):
        config_from_dict({**BASE, "optimiser": {}})


def test_dotted_overrides_parse_yaml_scalars(tmp_path: Path) -> None:
    p = write(tmp_path, "corpora:\n  - name: A\n  - name: B\n")
    cfg = load_config(
        p,
        [
            "trainer.max_steps=100",
            "corpora.0.subsample=500",
            "corpora.1.subsample=0.25",
            "optimizer.head_lr=2e-3",
            "sampler.kind=temperature",
            "encoder.name=/some/path",
            "trainer.patience=null",
        ],
    )
    assert cfg.trainer.max_steps == 100
    assert cfg.corpora[0].subsample == 500
    assert cfg.corpora[1].subsample == 0.25
    assert cfg.optimizer.head_lr == pytest.approx(2e-3)
    assert cfg.sampler.kind == "temperature"
    assert cfg.encoder.name == "/some/path"
    assert cfg.trainer.patience is None


def test_override_errors() -> None:
    with pytest.raises(ConfigError, match="no '='"):
        apply_overrides({}, ["trainer.max_steps"])
    with pytest.raises(ConfigError, match="not an index"):
        apply_overrides({"corpora": [{}]}, ["corpora.3.name=x"])
    with pytest.raises(ConfigError, match=r"unknown key 'trainer\.bogus'"):
        config_from_dict(BASE, ["trainer.bogus=1"])


def test_mode_validation() -> None:
    with pytest.raises(ConfigError, match="pairwise"):
        config_from_dict({**BASE, "corpora": [{"name": "A"}], "mode": "pairwise"})
    with pytest.raises(ConfigError, match="target"):
        config_from_dict({**BASE, "mode": "pairwise"})
    with pytest.raises(ConfigError, match="init_from"):
        config_from_dict({**BASE, "mode": "transfer-b"})
    with pytest.raises(ConfigError, match="listed twice"):
        config_from_dict({"corpora": [{"name": "A"}, {"name": "A"}]})
    with pytest.raises(ConfigError, match="shared head"):
        config_from_dict({"corpora": [{"name": "A", "shared_head": "s"}]})
    cfg = config_from_dict({**BASE, "mode": "single", "target": "B"})
    assert [c.key for c in cfg.training_corpora()] == ["B"]
    assert cfg.selection == "B"
    assert config_from_dict(BASE).selection == "macro"


def test_round_trip_yaml(tmp_path: Path) -> None:
    cfg = config_from_dict(BASE, ["trainer.max_steps=7"])
    p = write(tmp_path, cfg.to_yaml())
    assert load_config(p) == cfg


SHIPPED = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_configs_validate(path: Path) -> None:
    """Every shipped config loads, head types and options included."""
    cfg = load_config(path)
    assert cfg.corpora


def test_shipped_configs_include_the_sru_config() -> None:
    assert "genia-nested-quick.yaml" in {p.name for p in SHIPPED}


def test_unknown_head_option_names_key_and_file(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "corpora:\n  - name: X\n    shared_head: s\n"
        "heads:\n  shared:\n    s: {type: sru, options: {dynamic_los: false}}\n",
    )
    with pytest.raises(ConfigError) as err:
        load_config(p)
    text = str(err.value)
    assert "heads.shared.s.options.dynamic_los" in text and str(p) in text
    assert "dynamic_loss" in text  # the hint names the option meant


def test_unknown_head_type_names_key_and_file(tmp_path: Path) -> None:
    p = write(tmp_path, "corpora:\n  - name: X\n  - name: Y\n    head: crff\n")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    text = str(err.value)
    assert "corpora.1.head" in text and "crff" in text and str(p) in text


def test_head_options_checked_per_type(tmp_path: Path) -> None:
    p = write(tmp_path, "corpora:\n  - name: X\nheads:\n  options:\n    crf: {dropout: 2.0}\n")
    with pytest.raises(ConfigError, match=r"heads\.options\.crf\.dropout"):
        load_config(p)
