"""`mosaicner train` argument and config errors (no training needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_unknown_config_key_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("corpora:\n  - name: NCBI-disease\ntrainer:\n  max_stepz: 5\n")
    code, _, err = run(["train", str(cfg)], capsys)
    assert code == 2
    assert "error:" in err and "trainer.max_stepz" in err and str(cfg) in err
    assert "Traceback" not in err


def test_unknown_head_option_fails_at_config_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the corpus does not exist: the error must come from the config, before any corpus is read
    monkeypatch.setenv("MOSAICNER_DATA", str(tmp_path / "no-corpora-here"))
    cfg = tmp_path / "sru.yaml"
    cfg.write_text(
        "corpora:\n  - name: NO-SUCH-CORPUS\n    head: sru\n"
        "heads:\n  options:\n    sru: {dynamic_los: false}\n"
    )
    code, _, err = run(["train", str(cfg), "--output", str(tmp_path / "run")], capsys)
    assert code == 2
    assert "heads.options.sru.dynamic_los" in err and str(cfg) in err
    assert "Traceback" not in err and "NO-SUCH-CORPUS" not in err
    assert not (tmp_path / "run").exists()


def test_bad_override_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "ok.yaml"
    cfg.write_text("corpora:\n  - name: NCBI-disease\n")
    code, _, err = run(["train", str(cfg), "--set", "trainer.max_steps"], capsys)
    assert code == 2 and "KEY.PATH=VALUE" in err
    code, _, err = run(["train", str(cfg), "--set", "corpora.4.subsample=3"], capsys)
    assert code == 2 and "not an index" in err


def test_missing_model_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["evaluate", str(tmp_path / "nope"), "--corpus", "NCBI-disease"], capsys)
    assert code == 2 and "error:" in err


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in ("train", "evaluate", "predict"):
        code, out, _ = run([cmd, "--help"], capsys)
        assert code == 0 and "Usage" in out
