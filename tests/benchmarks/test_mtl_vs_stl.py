"""benchmarks/science/mtl_vs_stl.py: the compute-controlled plan, records, resumption."""

from __future__ import annotations

from pathlib import Path

import mtl_vs_stl as mvs
import records


def test_plan_controls_for_target_batches_and_encoder_updates() -> None:
    args = mvs.parse_args(["--seeds", "1", "2"])
    runs = mvs.plan(args)
    # per seed: STL at 600 and 1200 for each of the 3 targets (shared by NCBI's two pairs),
    # one MTL run per pair
    assert len(runs) == 2 * (3 * 2 + 4)
    by = {(r.target, r.condition, r.steps, r.seed): r for r in runs}
    assert ("NCBI-disease", "stl", 600, 1) in by and ("NCBI-disease", "stl", 1200, 2) in by
    mtl = by[("NCBI-disease", "mtl+linnaeus", 1200, 1)]
    cfg = mvs.train_config(mtl, args, "enc")
    assert cfg.mode == "pairwise" and cfg.target == "NCBI-disease"
    target, aux = cfg.corpora
    assert (target.subsample, aux.subsample) == (300, 3000)
    assert target.subsample_seed == aux.subsample_seed == 1
    assert aux.splits.dev is None and aux.splits.test is None  # selection and scoring: target
    assert cfg.trainer.eval_every == 100 and cfg.trainer.final_split == "test"
    stl = mvs.train_config(by[("NCBI-disease", "stl", 600, 1)], args, "enc")
    assert stl.mode == "single" and len(stl.corpora) == 1 and stl.corpora[0].subsample == 300


def test_smoke_run_records_full_test_sets_and_resumes(data_dir: Path, tmp_path: Path) -> None:
    runs_file = tmp_path / "runs.jsonl"
    argv = [
        "--encoder", "tiny", "--stl-steps", "2", "4", "--mtl-steps", "4", "--eval-every", "2",
        "--target-train", "20", "--aux-train", "20", "--dev-subsample", "10", "--seeds", "1",
        "--pairs", "NCBI-disease:linnaeus", "--threads", "1", "--bootstrap", "0",
        "--out", str(tmp_path / "out"), "--runs-file", str(runs_file),
    ]  # fmt: skip
    assert mvs.main(argv) == 0
    recs = records.read_records(runs_file)
    got = {(r["condition"], r["steps"]): r for r in recs}
    assert sorted(got) == [("mtl+linnaeus", 4), ("stl", 2), ("stl", 4)]
    mtl = got[("mtl+linnaeus", 4)]
    assert mtl["corpus"] == "NCBI-disease" and mtl["test_subsample"] is None
    assert mtl["test_support"] == 960  # the full NCBI-disease test set
    assert sum(mtl["batches_per_corpus"].values()) == 4
    assert set(mtl["batches_per_corpus"]) <= {"NCBI-disease", "linnaeus"}
    assert mvs.main(argv) == 0  # everything recorded: nothing runs again
    assert len(records.read_records(runs_file)) == 3
