"""Copy a finished ``mosaicner models build`` into ``benchmarks/mosaic/results/build_NAME.json``.

    MOSAICNER_HOME=... python benchmarks/mosaic/collect_build.py NAME --command "..." \
        --machine "2-core CPU, ..."

Also copies the build's ``metrics.jsonl`` and ``train.log`` beside it.  The record is the
build's ``results.json`` (per-corpus test reports, selection, notes) plus the
store's build wall time, the merge policy chosen on dev, the seed, the command that produced it
and a description of the machine while it ran.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import yaml

from mosaicner.store import builds_root, models_root

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--command", required=True, help="the command that built it")
    ap.add_argument("--machine", default="", help="the machine and its load while it ran")
    ap.add_argument("--out", default=None, help="default: results/build_NAME.json")
    args = ap.parse_args()
    run_dir = builds_root() / args.name
    record = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    store = json.loads((models_root() / args.name / "store.json").read_text(encoding="utf-8"))
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    record["run_dir"] = str(run_dir)
    record["seed"] = cfg.get("seed")
    record["corpora"] = [c["name"] for c in cfg["corpora"]]
    record["build_seconds"] = store.get("build_seconds")
    record["merge_selection"] = store.get("merge_selection")
    record["command"] = args.command
    record["machine"] = args.machine
    out = Path(args.out) if args.out else HERE / "results" / f"build_{args.name}.json"
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"wrote {out}")
    stem = out.name.removesuffix(".json")
    for name, suffix in (("metrics.jsonl", ".metrics.jsonl"), ("train.log", ".train.log")):
        if (run_dir / name).is_file():
            shutil.copyfile(run_dir / name, out.with_name(stem + suffix))


if __name__ == "__main__":
    main()
