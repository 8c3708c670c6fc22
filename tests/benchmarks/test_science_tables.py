"""benchmarks/science: run records and the README tables generated from them."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import make_tables
import pytest
import records


def _rec(condition: str, corpus: str, seed: int, f1: float, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "experiment": "toy",
        "condition": condition,
        "corpus": corpus,
        "seed": seed,
        "steps": 100,
        "f1": f1,
        "p": f1,
        "r": f1,
        "test_support": 50,
        "test_subsample": None,
    }
    return {**base, **kw}


def _write(path: Path, recs: list[dict[str, Any]]) -> Path:
    for r in recs:
        records.append_record(r, path)
    return path


def test_paired_difference_is_the_t_interval_of_the_seed_differences() -> None:
    # differences 0.01, 0.02, 0.03: mean 0.02, sd 0.01, t(0.975, 2) = 4.302652729911275
    m, lo, hi = make_tables.paired_difference([0.51, 0.62, 0.73], [0.50, 0.60, 0.70])
    half = 4.302652729911275 * 0.01 / math.sqrt(3)
    assert m == pytest.approx(0.02)
    assert (lo, hi) == (pytest.approx(0.02 - half), pytest.approx(0.02 + half))
    with pytest.raises(ValueError):
        make_tables.paired_difference([0.5], [0.4])


def test_tables_from_a_synthetic_runs_file(tmp_path: Path) -> None:
    runs = _write(
        tmp_path / "runs.jsonl",
        [
            _rec("joint", "A", 1, 0.60),
            _rec("joint", "A", 2, 0.70),
            _rec("joint", "A", 3, 0.80),
            _rec("single", "A", 1, 0.50),
            _rec("single", "A", 2, 0.65),
            _rec("single", "A", 3, 0.70),
            _rec("single", "A", 4, 0.10),  # unpaired seed: in the scores, not in the differences
            _rec("joint", "B", 1, 0.30, steps=200),
            _rec("joint", "B", 2, 0.20, steps=200),  # superseded below
            _rec("joint", "B", 2, 0.40, steps=200),
            _rec("single", "B", 1, 0.25, steps=200),  # one shared seed only: no difference
        ],
    )
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Results\n\nProse before.\n\n<!-- BEGIN GENERATED TABLES: toy -->\nold table\n"
        "<!-- END GENERATED TABLES: toy -->\n\nProse after, kept.\n"
    )
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme), "--check"]) == 1
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# Results\n\nProse before.\n") and "Prose after, kept.\n" in text
    assert "old table" not in text
    # joint A: mean 70.00, sd 10.00 over 3 seeds; single A: 4 seeds
    assert "| A | joint @ 100 | full | 3 | 70.00 ± 10.00 |" in text
    assert "| A | single @ 100 | full | 4 | 48.75 ± 27.20 |" in text
    # B: the last record of seed 2 counts (0.30, 0.40 -> 35.00 ± 7.07) and the note says so
    assert "| B | joint @ 200 | full | 2 | 35.00 ± 7.07 |" in text
    assert "1 earlier record(s) of a repeated seed" in text
    # paired over seeds 1-3: differences 10, 5, 10 points -> mean 8.33, sd 2.89
    half = 4.302652729911275 * (2.886751345948129 / math.sqrt(3))
    assert f"| A | joint @ 100 − single @ 100 | 3 | +8.33 | [{8.333333 - half:+.2f}, " in text
    assert "| 3/3 |" in text
    assert "| B | joint @ 200 − single @ 200 |" not in text
    # idempotent, and --check now passes
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme), "--check"]) == 0
    assert make_tables.render(text, make_tables.group(records.read_records(runs))) == text


def test_pairs_respect_the_design_and_put_the_baseline_second(tmp_path: Path) -> None:
    low = {"target_train": 300}
    recs = [
        *(_rec("stl", "A", s, 0.5 + s / 100, **low) for s in (1, 2, 3)),
        *(_rec("mtl+B", "A", s, 0.6 + s / 100, **low) for s in (1, 2, 3)),
        # full-data settings that happen to share seeds 2 and 3: another design
        *(_rec("all_corpora", "A", s, 0.9, steps=900) for s in (2, 3, 13)),
    ]
    runs = _write(tmp_path / "runs.jsonl", recs)
    readme = tmp_path / "README.md"
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "| A | mtl+B @ 100 − stl @ 100 | 3 | +10.00 |" in text  # baseline second
    assert "all_corpora @ 900 −" not in text and "− all_corpora" not in text
    # many settings of one design (a transfer matrix): each against the baselines only
    many = [
        *(_rec("stl", "T", s, 0.5, **low) for s in (1, 2)),
        *(_rec(f"mtl+{x}", "T", s, 0.55, **low) for x in "BCDEF" for s in (1, 2)),
    ]
    runs2 = _write(tmp_path / "runs2.jsonl", many)
    assert make_tables.main(["--runs", str(runs2), "--readme", str(readme)]) == 0
    rows = [r for r in readme.read_text().splitlines() if r.startswith("| T | mtl")]
    diffs = [r for r in rows if " − " in r]
    assert len(diffs) == 5 and all("− stl @ 100" in r for r in diffs)


@pytest.mark.parametrize("baseline", ["context0", "single"])
def test_other_baselines_are_read_second(tmp_path: Path, baseline: str) -> None:
    """GENIA without context and single-corpus models are baselines too: with many settings
    every other setting is paired against them, the baseline second."""
    recs = [
        *(
            _rec(f"window{n}", "G", s, 0.4 + s / 100)
            for n in (32, 64, 96, 128, 256)
            for s in (1, 2)
        ),
        *(_rec(baseline, "G", s, 0.5 + s / 100) for s in (1, 2)),
    ]
    runs = _write(tmp_path / "runs.jsonl", recs)
    readme = tmp_path / "README.md"
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme)]) == 0
    diffs = [r for r in readme.read_text().splitlines() if r.startswith("| G |") and " − " in r]
    assert len(diffs) == 5
    assert all(f"− {baseline} @ 100 | 2 | -10.00 |" in r for r in diffs)


def test_new_experiment_gets_a_block_appended(tmp_path: Path) -> None:
    runs = _write(tmp_path / "runs.jsonl", [_rec("x", "A", 1, 0.5, experiment="fresh")])
    readme = tmp_path / "README.md"
    readme.write_text("# R\n\nintro\n")
    make_tables.main(["--runs", str(runs), "--readme", str(readme)])
    text = readme.read_text()
    assert text.startswith("# R\n\nintro\n\n## fresh\n\n<!-- BEGIN GENERATED TABLES: fresh -->")
    assert "| A | x @ 100 | full | 1 | 50.00 |" in text
    assert "no paired differences" in text


def test_records_are_validated_and_bad_lines_named(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    with pytest.raises(records.RecordError, match="missing field 'seed'"):
        records.append_record({k: v for k, v in _rec("a", "A", 1, 0.5).items() if k != "seed"})
    with pytest.raises(records.RecordError, match="fraction"):
        records.append_record(_rec("a", "A", 1, 55.0), path)
    with pytest.raises(records.RecordError, match="test_subsample"):
        records.append_record(_rec("a", "A", 1, 0.5, test_subsample="all"), path)
    assert not path.exists()
    records.append_record(_rec("a", "A", 1, 0.5), path)
    with path.open("a") as fh:
        fh.write(json.dumps({"experiment": "toy"}) + "\n")
    with pytest.raises(records.RecordError, match=r"runs\.jsonl:2: missing field"):
        records.read_records(path)


def test_is_finished_needs_every_corpus_of_the_run() -> None:
    recs = [_rec("joint", "A", 1, 0.5), _rec("joint", "B", 1, 0.5), _rec("joint", "A", 2, 0.5)]
    kw: dict[str, Any] = {"experiment": "toy", "condition": "joint", "steps": 100}
    assert records.is_finished(recs, seed=1, corpora=["A", "B"], **kw)
    assert not records.is_finished(recs, seed=2, corpora=["A", "B"], **kw)
    assert not records.is_finished(recs, seed=1, corpora=["A"], **{**kw, "steps": 50})
    assert not records.is_finished(recs, seed=1, corpora=["A"], test_subsample=100, **kw)


def test_run_clock_extras() -> None:
    extras = records.RunClock().extras(run_dir="x")
    assert {"command", "git_commit", "started_at", "wall_seconds", "load_average"} <= set(extras)
    assert extras["run_dir"] == "x" and extras["wall_seconds"] >= 0
    scores = {"per_type": {"T": {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "tp": 2, "fn": 0}}}
    assert records.per_type(scores) == {"T": {"p": 0.5, "r": 1.0, "f1": 0.666667, "support": 2}}


def test_committed_readme_tables_match_the_committed_runs_file() -> None:
    # benchmarks/science/README.md must be regenerated whenever runs.jsonl changes
    assert make_tables.main(["--check"]) == 0


def test_run_extras_carry_the_dev_curve(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").write_text(
        '{"event": "train", "step": 10, "loss": {"A": 1.0}}\n'
        '{"event": "dev", "step": 50, "macro_f1": 0.25}\n'
        "not json\n"
        '{"event": "dev", "step": 100, "macro_f1": 0.5}\n'
    )
    extras = records.RunClock().extras(run_dir=str(run))
    assert extras["dev_curve"] == [[50, 0.25], [100, 0.5]]
    both = tmp_path / "ensemble"
    for name in ("a", "b"):
        (both / name).mkdir(parents=True)
        (both / name / "metrics.jsonl").write_text('{"event": "dev", "step": 7, "macro_f1": 1}\n')
    assert records.dev_curves(both) == {"a": [[7, 1.0]], "b": [[7, 1.0]]}
    assert "dev_curve" not in records.RunClock().extras(run_dir=str(tmp_path / "missing"))


def test_partial_annotation_blocks_get_f1_per_type(tmp_path: Path) -> None:
    def typed(condition: str, seed: int, chem: float, dis: float | None) -> dict[str, Any]:
        pt = {"Chemical": {"p": chem, "r": chem, "f1": chem, "support": 10}}
        if dis is not None:
            pt["Disease"] = {"p": dis, "r": dis, "f1": dis, "support": 10}
        return _rec(condition, "BC5CDR", seed, chem, experiment="partial_annotation", per_type=pt)

    runs = _write(
        tmp_path / "runs.jsonl",
        [
            typed("joint_dynamic", 1, 0.80, 0.60),
            typed("joint_dynamic", 2, 0.90, 0.70),
            typed("joint_naive", 1, 0.85, None),  # no Disease predicted or scored
            _rec("joint", "A", 1, 0.5, per_type={"X": {"p": 1, "r": 1, "f1": 1, "support": 1}}),
        ],
    )
    text = make_tables.render("", make_tables.group(records.read_records(runs)))
    block = text.split("GENERATED TABLES: partial_annotation")[1]
    assert "| corpus | condition @ steps | seeds | Chemical | Disease |" in block
    assert "| BC5CDR | joint_dynamic @ 100 | 2 | 85.00 ± 7.07 | 65.00 ± 7.07 |" in block
    assert "| BC5CDR | joint_naive @ 100 | 1 | 85.00 | – |" in block
    # other experiments keep their blocks without the per-type table
    assert "F1 per type" not in text.split("GENERATED TABLES: toy")[1]


def test_genia_context_pairs_settings_only_at_the_same_budget(tmp_path: Path) -> None:
    """A setting with context is set against plain sentences of its own budget (and one
    condition against itself at another budget), never against another budget's baseline."""
    recs = [
        _rec(cond, "G", s, f1 + s / 100, experiment="genia_context", steps=steps)
        for cond, steps, f1 in (
            ("context0", 800, 0.50),
            ("window96", 800, 0.45),
            ("context0", 2000, 0.65),
            ("window96", 2000, 0.63),
        )
        for s in (1, 2, 3)
    ]
    runs = _write(tmp_path / "runs.jsonl", recs)
    readme = tmp_path / "README.md"
    assert make_tables.main(["--runs", str(runs), "--readme", str(readme)]) == 0
    diffs = {
        r.split(" | ")[1]
        for r in readme.read_text().splitlines()
        if r.startswith("| G |") and " − " in r
    }
    assert diffs == {
        "window96 @ 800 − context0 @ 800",
        "window96 @ 2000 − context0 @ 2000",
        "context0 @ 800 − context0 @ 2000",
        "window96 @ 800 − window96 @ 2000",
    }
