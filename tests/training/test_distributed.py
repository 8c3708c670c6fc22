"""Data-parallel training with two CPU processes (torchrun, gloo), end to end.

Both launchers are tried: ``torchrun`` and ``accelerate launch --multi_gpu`` (which, on a machine
without GPUs, starts CPU processes that join a gloo group).  This is the code path a multi-GPU
run takes (the launcher starts the processes; :mod:`mosaicner.training.distributed` joins the
process group, averages gradients and lets process 0 evaluate and save).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mosaicner.testing.net import free_port


def _mosaicner_script() -> str:
    script = Path(sys.executable).with_name("mosaicner")
    if not script.is_file():
        pytest.skip("the mosaicner console script is not installed next to this interpreter")
    return str(script)


def _launcher(kind: str) -> list[str]:
    port = str(free_port())
    if kind == "torchrun":
        return [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nnodes",
            "1",
            "--nproc_per_node",
            "2",
            "--master_addr",
            "127.0.0.1",
            "--master_port",
            port,
        ]
    # accelerate's multi-process launcher; without GPUs its processes join a gloo group on CPU
    return [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--main_process_port",
        port,
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gloo on localhost (Linux CI)")
@pytest.mark.parametrize("launcher", ["torchrun", "accelerate"])
def test_two_process_cpu_run_trains_saves_and_loads(
    tiny_config: Any, tmp_path: Path, launcher: str
) -> None:
    if launcher == "accelerate":
        pytest.importorskip("accelerate")
    cfg = tiny_config(max_steps=6, eval_every=3)
    cfg_path = tmp_path / "ddp.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    run = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("WORLD_SIZE", None)
    entry = ["-m", "mosaicner.cli.main"] if launcher == "torchrun" else [_mosaicner_script()]
    cmd = [*_launcher(launcher), *entry, "train", str(cfg_path), "--output", str(run)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    log = (run / "train.log").read_text(encoding="utf-8")
    assert "data-parallel training over 2 processes" in log
    # process 1 kept its own sampler and batch-stream state for a resume
    assert (run / "checkpoints" / "last.rank1.safetensors").is_file()
    dev = [
        json.loads(line)
        for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
        if '"event": "dev"' in line
    ]
    assert [d["step"] for d in dev] == [3, 6]  # written once (process 0), not once per process
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    assert set(results["reports"]) == {"dis", "chem"}

    from mosaicner.training.run import evaluate_corpus, load_trained

    loaded = load_trained(run / "model")
    again = evaluate_corpus(loaded, "dis", "test", n_resamples=1000, seed=0)
    assert again["micro"] == results["reports"]["dis"]["micro"]
