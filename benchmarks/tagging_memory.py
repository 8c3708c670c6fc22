"""Flat memory of ``mosaicner tag``: peak RSS for 10x more documents should stay the same.

Tags N synthetic one-line documents (sentences of BC5CDR test, repeated) and records the peak
RSS of the ``mosaicner tag`` process for each N: with a dictionary predictor by default (so
that the model's own memory does not hide the pipeline's), or with a neural model
(``--model NAME_OR_PATH``, e.g. ``--model mosaic-quick --threads 2``), whose weights, encoder
batches and merge are then part of what is measured.

Run::

    .venv/bin/python benchmarks/tagging_memory.py --sizes 10000 100000 \
        --out benchmarks/tagging_memory

Writes ``OUT.json`` and ``OUT.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--out", default="benchmarks/tagging_memory")
    ap.add_argument("--model", default=None, help="a neural model (name or path) to tag with")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (--model)")
    args = ap.parse_args()
    data = Path(os.environ.get("MOSAICNER_DATA", REPO.parent / "shared" / "corpora"))
    sentences: list[str] = []
    words: list[str] = []
    with open(data / "BC5CDR" / "test.tsv", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if words:
                    sentences.append(" ".join(words))
                    words = []
                continue
            words.append(line.split("\t")[0])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        terms = Path(tmp) / "terms.json"
        terms.write_text(json.dumps({"Chemical": ["cisplatin", "lithium"], "Disease": ["pain"]}))
        for n in args.sizes:
            inp = Path(tmp) / f"in{n}.txt"
            with inp.open("w", encoding="utf-8") as fh:
                for i in range(n):
                    fh.write(sentences[i % len(sentences)] + "\n")
            out = Path(tmp) / f"out{n}.jsonl"
            model = [args.model, "--threads", str(args.threads)] if args.model else [str(terms)]
            cmd = [sys.executable, "-m", "mosaicner.cli.main", "tag", model[0], "-i", str(inp),
                   "-o", str(out), "-q", "--chunk-size", "256", *model[1:]]  # fmt: skip
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            assert status == 0, proc.stderr.read() if proc.stderr else ""
            wall = time.perf_counter() - t0
            rows.append(
                {
                    "documents": n,
                    "input_mb": round(inp.stat().st_size / 2**20, 1),
                    "output_mb": round(out.stat().st_size / 2**20, 1),
                    "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                    "wall_s": round(wall, 1),
                }
            )
            print(rows[-1], flush=True)
            out.unlink()
    result = {
        "command": " ".join(["python", *sys.argv]),
        "predictor": args.model or "dictionary",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
    }
    Path(args.out).with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    md = [
        f"# Memory of `mosaicner tag` ({result['predictor']} predictor, chunks of 256 documents)",
        "",
        f"Command: `{result['command']}`",
        "",
        "| documents | input MB | output MB | peak RSS MB | wall s |",
        "|---:|---:|---:|---:|---:|",
    ]
    md += [
        f"| {r['documents']} | {r['input_mb']} | {r['output_mb']} | {r['peak_rss_mb']} "
        f"| {r['wall_s']} |"
        for r in rows
    ]
    Path(args.out).with_suffix(".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
