"""Sanity check of the modelling core on real data: MiniLM + one CRF head on NCBI-disease.

Trains ``MultiTaskModel`` (all-MiniLM-L6-v2, first-subword pooling, frozen embeddings, one CRF
head) for a fixed number of steps on length-bucketed NCBI-disease training batches, saves it,
loads it back and tags the first N dev sentences with ``predict_words`` (every head, the
Tagger's path).  Strict span P/R/F1 on those dev sentences.  Dev only: no test data is read.
This is a smoke-level check that encoder + CRF + save/load learn, not a tuned result.

    HF_HUB_OFFLINE=1 nice -n 19 .venv/bin/python benchmarks/model_ncbi_sanity.py \
        --data ../shared/corpora --steps 150 --max-tokens 600 --dev 300 --threads 1

Writes benchmarks/results/model_ncbi_sanity.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

import torch

import mosaicner.io as mio
from mosaicner.data.model import SentenceExample
from mosaicner.encoders import EncoderConfig, TransformerEncoder
from mosaicner.evaluation.metrics import score_spans
from mosaicner.heads import build_head
from mosaicner.models import MultiTaskModel, load_model, token_batches


def examples(path: Path, corpus: str) -> list[SentenceExample]:
    docs = mio.read(path, "conll").documents
    return [ex for doc in docs for ex in doc.sentence_examples(corpus=corpus)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("MOSAICNER_DATA", "../shared/corpora"))
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--max-tokens", type=int, default=600)
    ap.add_argument("--dev", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    root = Path(args.data) / "NCBI-disease"
    train = examples(root / "train.tsv", "ncbi")
    dev = examples(root / "devel.tsv", "ncbi")[: args.dev]

    enc = TransformerEncoder.from_config(EncoderConfig(freeze_embeddings=True))
    head = build_head("crf", enc.hidden_size, ["Disease"], {"ncbi": ["Disease"]})
    model = MultiTaskModel(enc, {"ncbi": head}, {"ncbi": "ncbi"})
    batches = token_batches(enc.encode_batch([ex.words for ex in train]), args.max_tokens, 32)
    random.shuffle(batches)
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in enc.parameters() if p.requires_grad], "lr": 5e-5},
            {"params": list(model.heads.parameters()), "lr": 1e-3},
        ]
    )
    model.train()
    start = time.time()
    losses = []
    for b in batches[: args.steps]:
        loss, metrics = model.loss([train[i] for i in b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(metrics["loss"])
    train_s = time.time() - start
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model")
        loaded = load_model(Path(tmp) / "model")
        start = time.time()
        preds = loaded.predict_words([list(ex.words) for ex in dev])
        tag_s = time.time() - start
    gold = [[(s, e, lab) for s, e, lab in ex.spans] for ex in dev]
    pred = [[(s, e, lab) for s, e, lab, _ in p] for p in preds]
    scores = score_spans(gold, pred, ["Disease"])
    result = {
        "encoder": "all-MiniLM-L6-v2 (embeddings frozen)",
        "head": "crf (iob2)",
        "steps": args.steps,
        "max_tokens": args.max_tokens,
        "train_sentences_seen": sum(len(b) for b in batches[: args.steps]),
        "train_s": round(train_s, 1),
        "first_loss": round(losses[0], 3),
        "last10_mean_loss": round(sum(losses[-10:]) / 10, 3),
        "dev_sentences": len(dev),
        "tag_s": round(tag_s, 1),
        "dev_scores": scores.to_dict()["micro"],
        "threads": args.threads,
        "load_average": os.getloadavg(),
    }
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "model_ncbi_sanity.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    micro = result["dev_scores"]
    table = (
        "| steps | sentences seen | train s | dev sents | P | R | F1 |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {args.steps} | {result['train_sentences_seen']} | {result['train_s']} | {len(dev)} | "
        f"{micro['precision']:.3f} | {micro['recall']:.3f} | {micro['f1']:.3f} |\n"
    )
    (out / "model_ncbi_sanity.md").write_text(
        "# Modelling-core sanity check: MiniLM + CRF on NCBI-disease (dev subset)\n\n"
        + "Command: see the docstring of benchmarks/model_ncbi_sanity.py.  "
        + f"Threads {args.threads}; load average at the end {result['load_average']} "
        + "(shared 2-core machine: times are inflated and noisy).\n\n"
        + table
    )


if __name__ == "__main__":
    main()
