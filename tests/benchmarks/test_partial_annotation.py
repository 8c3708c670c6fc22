"""benchmarks/science/partial_annotation.py: budgets per condition, one record per condition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import partial_annotation as pa
import pytest
import records

from mosaicner.evaluation.views import PREFIX_SEP as PREFIX


def test_budgets_give_each_corpus_the_batches_of_its_single_model() -> None:
    h = Path("halves")
    real = {c: pa.members("partial_annotation", c, 600, h) for c in pa.CONDITIONS}
    assert [m.steps for m in real["joint_dynamic"]] == [600]  # about 300 batches per corpus
    assert [m.steps for m in real["single_ensemble"]] == [300, 300]
    assert not real["joint_naive"][0].dynamic_loss and real["joint_dynamic"][0].dynamic_loss
    assert real["joint_dynamic"][0].corpora[1] == ("BC5CDR", str(pa.CHEM_ONLY))
    synth = {c: pa.members("synthetic_ensemble", c, 600, h) for c in pa.CONDITIONS}
    # each half gets as many updates as a single-half model (issue 11)
    assert [m.steps for m in synth["joint_naive"]] == [1200]
    assert [m.steps for m in synth["single_ensemble"]] == [600, 600]
    assert [m.steps for m in synth["full_reference"]] == [600]
    assert pa.recorded_steps("synthetic_ensemble", "joint_dynamic", 600) == 1200


def test_chemical_only_map_drops_disease() -> None:
    from mosaicner.schema import get_label_map

    lmap = get_label_map(str(pa.CHEM_ONLY))
    assert lmap.output_labels == ("Chemical",)


def test_smoke_single_ensemble_record(data_dir: Path, tmp_path: Path) -> None:
    runs_file = tmp_path / "runs.jsonl"
    argv = [
        "--encoder", "tiny", "--steps", "4", "--evals", "1", "--train-subsample", "20",
        "--dev-subsample", "10", "--test-subsample", "40", "--seeds", "1", "--bootstrap", "0",
        "--experiments", "partial_annotation", "--conditions", "single_ensemble",
        "--out", str(tmp_path / "out"), "--runs-file", str(runs_file),
    ]  # fmt: skip
    assert pa.main(argv) == 0
    (rec,) = records.read_records(runs_file)
    assert (rec["experiment"], rec["condition"], rec["corpus"]) == (
        "partial_annotation", "single_ensemble", "BC5CDR"
    )  # fmt: skip
    assert rec["steps"] == 2 and set(rec["members"]) == {"single-a", "single-b"}
    assert set(rec["per_type"]) == {"Chemical", "Disease"}
    assert pa.main(argv) == 0 and len(records.read_records(runs_file)) == 1


def test_scored_prefixed_predictions_are_joined_and_scored(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw SRU predictions are (start, end, CORPUS$Type, score): the runner strips the
    prefix, merges the members' answers and scores them (here a perfect oracle)."""
    import mosaicner.heads.sru as sru

    def oracle(model: object, examples: list[Any], **_: object) -> list[list[Any]]:
        return [[(s, e, f"X{PREFIX}{t}", 0.9) for s, e, t in ex.spans] for ex in examples]

    monkeypatch.setattr(sru, "predict_raw", oracle)
    runs_file = tmp_path / "runs.jsonl"
    argv = [
        "--encoder", "tiny", "--steps", "4", "--evals", "1", "--train-subsample", "20",
        "--dev-subsample", "10", "--test-subsample", "40", "--seeds", "1", "--bootstrap", "0",
        "--experiments", "partial_annotation", "--conditions", "single_ensemble",
        "--out", str(tmp_path / "out"), "--runs-file", str(runs_file),
    ]  # fmt: skip
    assert pa.main(argv) == 0
    (rec,) = records.read_records(runs_file)
    assert rec["f1"] == pytest.approx(1.0) and rec["test_support"] > 0
