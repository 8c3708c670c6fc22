"""Acceptance tests of ``mosaicner analyze`` (similarity on the shared corpora, correlate,
recommend), with an independent, plain re-computation of the measure definitions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mosaicner.cli.main import app

runner = CliRunner()


def _read_tsv(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of a ``token<TAB>tag`` file; -DOCSTART- lines are not tokens."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        token, tag = line.split("\t")
        if token == "-DOCSTART-":
            continue
        words.append(token)
        tags.append(tag)
    if words:
        sentences.append((words, tags))
    return sentences


def _mentions(sentences: list[tuple[list[str], list[str]]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for words, tags in sentences:
        current: list[str] = []
        label = None
        for w, t in [*zip(words, tags, strict=True), ("", "O")]:
            if t.startswith("I-") and current and t[2:] == label:
                current.append(w)
                continue
            if current:
                out[" ".join(current)] += 1
            current, label = ([w], t[2:]) if t[:2] in ("B-", "I-") else ([], None)
    return out


def _expected(root: Path, names: list[str]) -> dict[tuple[str, str, str], float]:
    vocab = {n: {w for s, _ in _read_tsv(root / n / "train.tsv") for w in s} for n in names}
    train_m = {n: _mentions(_read_tsv(root / n / "train.tsv")) for n in names}
    test_m = {n: _mentions(_read_tsv(root / n / "test.tsv")) for n in names}
    out = {}
    for t in names:
        for a in names:
            if t == a:
                continue
            inter = len(vocab[t] & vocab[a])
            out[("tvc", t, a)] = inter / len(vocab[t])
            out[("dice", t, a)] = 2 * inter / (len(vocab[t]) + len(vocab[a]))
            total = sum(test_m[t].values())
            out[("entity_coverage", t, a)] = (
                sum(c for m, c in test_m[t].items() if m in train_m[a]) / total
            )
    return out


def test_similarity_acceptance(data_dir: Path) -> None:
    names = ["BC5CDR", "NCBI-disease", "linnaeus"]
    args = ["analyze", "similarity"]
    for n in names:
        args += ["--corpus", str(data_dir / n)]
    args += ["--measures", "tvc,dice,entity_coverage", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    got = {(r["measure"], r["target"], r["auxiliary"]): r["value"] for r in records}
    expected = _expected(data_dir, names)
    assert set(got) == set(expected)
    assert len(records) == 3 * 3 * 2
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_similarity_csv_and_bad_measure(data_dir: Path, tmp_path: Path) -> None:
    args = ["analyze", "similarity", "-c", str(data_dir / "NCBI-disease"), "-c"]
    args += [str(data_dir / "linnaeus"), "-m", "dice", "--format", "csv"]
    result = runner.invoke(app, [*args, "--output", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0] == "measure,target,auxiliary,value" and len(lines) == 3
    bad = runner.invoke(app, ["analyze", "similarity", "-c", "a", "-c", "b", "-m", "tvx"])
    assert bad.exit_code != 0
    assert "did you mean 'tvc'" in str(bad.exception)


def _write_tables(tmp_path: Path) -> tuple[Path, Path]:
    names = ["A", "B", "C", "D"]
    sim, gains = [], []
    for i, t in enumerate(names):
        for j, a in enumerate(names):
            if t != a:
                v = ((i + 1) * (j + 2)) % 7 / 7
                sim.append({"measure": "tvc", "target": t, "auxiliary": a, "value": v})
                sim.append({"measure": "dice", "target": t, "auxiliary": a, "value": j / 4})
                gains.append({"target": t, "auxiliary": a, "gain": v / 10 - 0.02})
    s, g = tmp_path / "sim.json", tmp_path / "gains.json"
    s.write_text(json.dumps(sim))
    g.write_text(json.dumps(gains))
    return s, g


def test_correlate_and_recommend_cli(tmp_path: Path) -> None:
    s, g = _write_tables(tmp_path)
    out = runner.invoke(
        app,
        [
            "analyze",
            "correlate",
            "--similarity",
            str(s),
            "--gains",
            str(g),
            "--format",
            "json",
            "--plot",
            str(tmp_path / "plots"),
        ],
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    tvc = next(m for m in report["measures"] if m["measure"] == "tvc")
    assert tvc["pooled"]["pearson"]["r"] == pytest.approx(1.0)
    assert tvc["summary"]["hit_rate"] == 1.0
    assert (tmp_path / "plots" / "scatter_tvc.png").is_file()
    table = runner.invoke(app, ["analyze", "correlate", "--similarity", str(s), "--gains", str(g)])
    assert table.exit_code == 0 and "Measures vs. MTL gain" in table.stdout
    rec = runner.invoke(
        app,
        [
            "analyze",
            "recommend",
            "--target",
            "A",
            "--candidates",
            "B",
            "C",
            "D",
            "--similarity",
            str(s),
            "--gains",
            str(g),
            "--measures",
            "tvc,dice",
            "--format",
            "json",
        ],
    )
    assert rec.exit_code == 0, rec.output
    result = json.loads(rec.stdout)
    assert result["measure"] == "tvc"
    assert result["ranking"][0]["auxiliary"] == max(
        result["validation"]["known_gains"], key=result["validation"]["known_gains"].get
    )
