"""Words per second of test-set scoring for several evaluation batch sizes (``eval_max_words``).

    MOSAICNER_DATA=../shared/corpora PYTHONPATH=src python benchmarks/mosaic/eval_speed.py \
        --threads 2 --sizes 4096 1024 512 256 1024

Builds the mosaic-quick recipe's model for NCBI-disease (MiniLM encoder, CRF head; untrained
weights, which cost the same to run) and times :func:`predict_examples` over the full
NCBI-disease test split (940 sentences, 24,497 words) once per size, in the order given.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from mosaicner.store import recipe_path
from mosaicner.training.build import build_model
from mosaicner.training.config import load_config
from mosaicner.training.data import prepare_corpus
from mosaicner.training.evaluate import predict_examples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4096, 1024, 512, 256, 1024])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = load_config(recipe_path("mosaic-quick"))
    spec = next(c for c in cfg.corpora if c.name == "NCBI-disease")
    pc = prepare_corpus(spec, roles=("test",))
    examples = pc.examples("test")
    model = build_model(cfg, [pc])
    model.eval()
    words = sum(len(e.words) for e in examples)
    print(f"load average before: {os.getloadavg()[0]:.2f}; threads {args.threads}")
    for size in args.sizes:
        t0 = time.perf_counter()
        predict_examples(model, examples, size)
        dt = time.perf_counter() - t0
        print(
            f"eval_max_words {size}: {len(examples)} sentences, {words} words, "
            f"{dt:.1f} s, {words / dt:.0f} words/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
