"""Exploratory: how fast does the SRU head learn GENIA on frozen MiniLM features?

Step 1 caches max-pooled all-MiniLM-L6-v2 word vectors of 1600 GENIA train and 300 dev sentences
(seeded shuffle, batches of 16); step 2 trains only the head (AdamW, clip 1.0) with the given
options and prints dev F1 every 100 steps.  Used to choose the short-budget options of
configs/genia-nested-quick.yaml (see benchmarks/sru_results.md).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/sru_head_only.py cache
    .venv/bin/python benchmarks/sru_head_only.py train '{"pointer_reads": "slot"}' 300 5e-3 [SEED]

SEED (default 0) seeds the head's initialisation and the batch order; the cached sentences are
always the same seeded sample.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

import torch

CACHE = Path(os.environ.get("SRU_FEATURE_CACHE", "/tmp/sru_genia_feats.pt"))
DATA = Path(os.environ.get("MOSAICNER_DATA", "/work/shared/corpora"))
TYPES = ["DNA", "RNA", "cell_line", "cell_type", "protein"]
BASE = {
    "decoder_size": 256,
    "queries_per_action": 10,
    "half_context": 240,
    "token_multiplier": 10,
    "train_token_multiplier": True,
}


def cache() -> None:
    from mosaicner.encoders import EncoderConfig, TransformerEncoder

    enc = TransformerEncoder.from_config(EncoderConfig(pooling="max"))
    enc.eval()
    out = {}
    for split, n in (("train", 1600), ("dev", 300)):
        rows = [json.loads(x) for x in (DATA / "GENIA-nested" / f"{split}.jsonlines").open()]
        random.Random(0).shuffle(rows)
        rows = sorted(rows[:n], key=lambda r: len(r["tokens"]))
        batches = []
        for i in range(0, len(rows), 16):
            rr = rows[i : i + 16]
            with torch.inference_mode():
                f = enc(enc.encode_batch([r["tokens"] for r in rr]))
            gold = [
                [(m["start"], m["end"], m["entity_type"]) for m in r["entity_mentions"]] for r in rr
            ]
            batches.append((f.words.clone(), f.mask.clone(), f.cls.clone(), f.sep.clone(), gold))
        out[split] = batches
    torch.save(out, CACHE)


def train(options: dict[str, object], steps: int, lr: float, seed: int = 0) -> None:
    from mosaicner.evaluation import score_spans
    from mosaicner.heads import build_head
    from mosaicner.heads.base import WordFeatures

    torch.manual_seed(seed)
    data = torch.load(CACHE)
    head = build_head("sru", 384, TYPES, {"G": TYPES}, **{**BASE, **options})
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-3)
    rng = random.Random(seed)
    t0 = time.time()

    def evaluate() -> tuple[float, int]:
        head.eval()
        gold: list[list[tuple[int, int, str]]] = []
        pred: list[list[tuple[int, int, str]]] = []
        with torch.inference_mode():
            for w, m, c, s, g in data["dev"]:
                out = head.decode(WordFeatures(w, m, c, s), ["G"] * len(g))
                gold += [list(x) for x in g]
                pred += [[p[:3] for p in o] for o in out]
        head.train()
        sc = score_spans(gold, pred, TYPES)
        return round(sc.micro.f1, 3), sc.micro.tp + sc.micro.fp

    for step in range(1, steps + 1):
        w, m, c, s, g = data["train"][rng.randrange(len(data["train"]))]
        loss = head.loss(WordFeatures(w, m, c, s), g, ["G"] * len(g))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
        opt.step()
        if step % 100 == 0:
            f1, n_pred = evaluate()
            print(
                step,
                round(loss.item(), 4),
                f"dev F1 {f1} ({n_pred} predictions)",
                f"{time.time() - t0:.0f}s",
                flush=True,
            )


if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[1] == "cache":
        cache()
    else:
        seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
        train(json.loads(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), seed)
