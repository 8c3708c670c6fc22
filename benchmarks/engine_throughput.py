"""Training throughput: the mosaicner engine vs a plain `transformers` token-classification loop.

Both train the same encoder (all-MiniLM-L6-v2) on the same batches (NCBI-disease training
sentences, length-bucketed under the same token budget), with AdamW (fused where available) and
gradient clipping.  The engine runs ``MultiTaskModel.loss`` (word pooling + CRF head); the
baseline runs ``AutoModelForTokenClassification`` with a softmax over first-subword labels.
The two are measured in alternating rounds in one process, so machine load hits both alike;
the result is the ratio of their median step times.

    HF_HUB_OFFLINE=1 MOSAICNER_DATA=../shared/corpora \
      .venv/bin/python benchmarks/engine_throughput.py --steps 30 --rounds 3 --threads 2

Writes benchmarks/results/engine_throughput.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mosaicner.data.batching import make_batches
from mosaicner.training.build import build_model
from mosaicner.training.config import config_from_dict
from mosaicner.training.data import prepare_corpus
from mosaicner.training.optim import make_optimizer, param_groups

OUT = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30, help="steps per round and system")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=800)
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0, help="model initialisation and batch order")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    cfg = config_from_dict(
        {"corpora": [{"name": "NCBI-disease", "subsample": args.sentences}], "num_threads": 1}
    )
    pc = prepare_corpus(cfg.corpora[0], roles=("train",))
    exs = pc.examples("train")
    engine = build_model(cfg, [pc])
    engine.train()
    enc = engine.encoder.encode_batch([e.words for e in exs])
    lengths = [e.padded_length(engine.encoder.num_special) for e in enc]
    batches = make_batches(lengths, args.max_tokens, 64, 200, np.random.default_rng(args.seed))
    opt_e = make_optimizer(param_groups(engine, cfg), 1e-6)

    # baseline: same encoder weights, plain token classification (first subword labelled)
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from mosaicner.encoders.config import resolve_encoder_name

    src = resolve_encoder_name(cfg.encoder.name)
    tok = AutoTokenizer.from_pretrained(src)
    labels = ["O", *(f"{p}-{t}" for t in pc.labels for p in ("B", "I"))]
    lid = {lab: i for i, lab in enumerate(labels)}
    base = AutoModelForTokenClassification.from_pretrained(src, num_labels=len(labels))
    base.train()
    opt_b = torch.optim.AdamW(base.parameters(), lr=5e-5, eps=1e-6, fused=True)

    def tags(ex: Any) -> list[int]:
        out = [0] * len(ex.words)
        for s, e, lab in ex.spans:
            out[s] = lid[f"B-{lab}"]
            for k in range(s + 1, e):
                out[k] = lid[f"I-{lab}"]
        return out

    def base_inputs(batch: list[int]) -> dict[str, torch.Tensor]:
        words = [list(exs[i].words) for i in batch]
        enc_b = tok(
            words,
            is_split_into_words=True,
            padding=True,
            return_tensors="pt",
            truncation=True,
            max_length=512,
        )
        lab = torch.full(enc_b["input_ids"].shape, -100, dtype=torch.long)
        for r, i in enumerate(batch):
            t = tags(exs[i])
            prev = None
            for c, w in enumerate(enc_b.word_ids(r)):
                if w is not None and w != prev:
                    lab[r, c] = t[w]
                prev = w
        return {**enc_b, "labels": lab}

    # pre-tokenise the baseline batches too (both systems tokenise once, outside the timing)
    base_batches = [base_inputs(b) for b in batches]

    def step_engine(k: int) -> None:
        b = batches[k % len(batches)]
        opt_e.zero_grad(set_to_none=True)
        loss, _ = engine.loss([exs[i] for i in b])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(engine.parameters(), 1.0)
        opt_e.step()

    def step_base(k: int) -> None:
        inputs = base_batches[k % len(batches)]
        opt_b.zero_grad(set_to_none=True)
        out = base(**inputs)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(base.parameters(), 1.0)
        opt_b.step()

    tokens = [sum(lengths[i] for i in b) for b in batches]
    times: dict[str, list[float]] = {"engine": [], "transformers": []}
    tok_counts: dict[str, int] = {"engine": 0, "transformers": 0}
    load_start = os.getloadavg()
    step_engine(0)
    step_base(0)  # warm-up
    k = 1
    for _ in range(args.rounds):
        for name, fn in (("engine", step_engine), ("transformers", step_base)):
            for j in range(args.steps):
                t0 = time.perf_counter()
                fn(k + j)
                times[name].append(time.perf_counter() - t0)
                tok_counts[name] += tokens[(k + j) % len(batches)]
        k += args.steps
    med = {n: statistics.median(v) for n, v in times.items()}
    tps = {n: tok_counts[n] / sum(times[n]) for n in times}
    result = {
        "encoder": cfg.encoder.name,
        "threads": args.threads,
        "steps_per_system": args.steps * args.rounds,
        "max_tokens": args.max_tokens,
        "median_step_s": med,
        "subword_tokens_per_s": tps,
        "ratio_engine_over_transformers_tokens_per_s": tps["engine"] / tps["transformers"],
        "load_average_at_start": load_start,
        "load_average_at_end": os.getloadavg(),
        "rounds": args.rounds,
        "order": "engine then transformers in each round, steps_per_round each",
        "steps_per_round": args.steps,
        "step_s": {n: [round(t, 4) for t in v] for n, v in times.items()},
        # both systems step through the same batches: subword tokens of each timed step
        "batch_tokens": [tokens[i % len(batches)] for i in range(1, 1 + args.steps * args.rounds)],
        "command": "python benchmarks/engine_throughput.py "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()),
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "engine_throughput.json").write_text(json.dumps(result, indent=2))
    print("| system | median step (s) | subword tokens/s |")
    print("|---|---|---|")
    for n in times:
        print(f"| {n} | {med[n]:.3f} | {tps[n]:.0f} |")
    print(
        "\nratio engine / transformers (tokens/s): "
        f"{result['ratio_engine_over_transformers_tokens_per_s']:.2f}"
    )


if __name__ == "__main__":
    main()
