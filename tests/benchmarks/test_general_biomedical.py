"""benchmarks/science/general_biomedical.py: plan, records, global predictions, resumption."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import general_biomedical as gb
import make_tables
import pytest
import records


def test_plan_gives_single_models_the_joint_models_batches_per_corpus() -> None:
    args = gb.parse_args(["--steps", "100", "--seeds", "1", "2", "--conditions", *gb.CONDITIONS])
    runs = gb.plan(args)
    by = {(r.condition, r.corpora, r.seed): r for r in runs}
    assert len(runs) == 2 * (2 + 2 + 2)
    assert by[("joint_dynamic", ("WNUT-17", "BC5CDR"), 1)].steps == 100
    naive = by[("joint_naive", ("WNUT-17", "BC5CDR"), 2)]
    assert naive.steps == 100 and not naive.dynamic_loss
    assert by[("single", ("BC5CDR",), 1)].steps == 50
    assert by[("single_equal_steps", ("WNUT-17",), 2)].steps == 100
    assert by[("single", ("WNUT-17",), 2)].name == "single-WNUT-17/seed2"
    cfg = gb.train_config(by[("joint_naive", ("WNUT-17", "BC5CDR"), 2)], args, "enc")
    opts = cfg.heads.shared["sru"].options
    assert opts["label_space"] == "unified" and opts["dynamic_loss"] is False
    assert [c.label_map for c in cfg.corpora] == ["builtin", "builtin"]
    assert all(c.splits.test is None for c in cfg.corpora) and cfg.seed == 2


def _fake_predict_raw(model: Any, examples: list[Any]) -> list[list[tuple[int, int, str, float]]]:
    """Gold spans (so the joined view scores 1.0) plus one foreign-type span per sentence."""
    out = []
    for ex in examples:
        spans = [(s, e, t, 0.9) for s, e, t in ex.spans]
        spans.append((0, 1, "Person" if ex.corpus == "BC5CDR" else "Chemical", 0.8))
        out.append(spans)
    return out


def test_smoke_run_records_global_predictions_and_resumes(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mosaicner.heads.sru

    monkeypatch.setattr(mosaicner.heads.sru, "predict_raw", _fake_predict_raw)
    runs_file = tmp_path / "runs.jsonl"
    argv = [
        "--encoder", "tiny", "--steps", "2", "--seeds", "1", "--threads", "1",
        "--conditions", "joint_dynamic", "single",
        "--train-subsample", "16", "--dev-subsample", "8", "--test-subsample", "12",
        "--bootstrap", "0", "--out", str(tmp_path / "out"), "--runs-file", str(runs_file),
    ]  # fmt: skip
    assert gb.main(argv) == 0
    recs = records.read_records(runs_file)
    got = {(r["condition"], r["corpus"]): r for r in recs}
    assert sorted(got) == [
        ("joint_dynamic", "BC5CDR"),
        ("joint_dynamic", "WNUT-17"),
        ("single", "BC5CDR"),
        ("single", "WNUT-17"),
    ]
    joint_bc5 = got[("joint_dynamic", "BC5CDR")]
    assert joint_bc5["experiment"] == "general_biomedical" and joint_bc5["steps"] == 2
    assert got[("single", "BC5CDR")]["steps"] == 1
    assert joint_bc5["f1"] == 1.0 and joint_bc5["test_subsample"] == 12
    assert joint_bc5["test_support"] == sum(v["support"] for v in joint_bc5["per_type"].values())
    assert set(joint_bc5["per_type"]) == {"Chemical", "Disease"}
    assert set(got[("joint_dynamic", "WNUT-17")]["per_type"]) == {
        "Creative_work", "Location", "Organization", "Person", "Product"
    }  # fmt: skip
    # one foreign-type prediction per test sentence, counted per type
    assert joint_bc5["global_predictions"] == {"Person": 12}
    assert got[("joint_dynamic", "WNUT-17")]["global_predictions"] == {"Chemical": 12}
    # single-corpus models are also run on the other corpus, for its global predictions only
    assert got[("single", "WNUT-17")]["global_predictions_other_corpus"] == {
        "BC5CDR": {"Person": 12}
    }
    for key in ("command", "git_commit", "wall_seconds", "started_at", "run_dir", "load_average"):
        assert key in joint_bc5
    with open(joint_bc5["global_predictions_file"], encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == 24 and {r["type"] for r in rows} == {"Person", "Chemical"}
    assert (Path(joint_bc5["run_dir"]) / "global_predictions.jsonl").is_file()
    # resumable: everything recorded is skipped, nothing is appended
    before = runs_file.read_text()
    assert gb.main(argv) == 0
    assert runs_file.read_text() == before
    # and the table generator reads the records
    readme = tmp_path / "README.md"
    assert make_tables.main(["--runs", str(runs_file), "--readme", str(readme)]) == 0
    assert "| BC5CDR | joint_dynamic @ 2 | 12 sent. | 1 | 100.00 |" in readme.read_text()
