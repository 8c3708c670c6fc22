"""GENIA nested NER with the SRU head: test F1 overall, per type, on nested mentions, and the
decoder's cost (tagging speed of encoder + SRU decoder vs the encoder forward alone).

Usage (after ``mosaicner train configs/genia-nested-quick.yaml --output runs/genia-sru``)::

    MOSAICNER_DATA=/work/shared/corpora HF_HUB_OFFLINE=1 \
        .venv/bin/python benchmarks/sru_genia.py runs/genia-sru/model

Speed: every batch is run through the encoder alone and then through encoder + SRU decoding,
interleaved batch by batch.

Definitions: a mention is *nested* when it lies inside another mention of the same sentence
(a different interval).  Nested recall = gold nested mentions predicted exactly / gold nested
mentions; nested precision = predicted nested mentions (inside another prediction) that are
gold / predicted nested mentions.  Speed: the same length-sorted batches are run twice under
``torch.inference_mode``, once through the encoder only and once through encoder + decoding;
the ratio of the two throughputs is the decoder's cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

Triple = tuple[int, int, str]


def nested(spans: list[Triple]) -> set[Triple]:
    out = set()
    for s in spans:
        for o in spans:
            if (o[0], o[1]) != (s[0], s[1]) and o[0] <= s[0] and s[1] <= o[1]:
                out.add(s)
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model", type=Path)
    ap.add_argument("--split", default="test")
    ap.add_argument("--max-words", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "sru_genia_results"))
    args = ap.parse_args()

    import torch

    from mosaicner.data.batching import make_batches
    from mosaicner.evaluation.metrics import score_spans
    from mosaicner.evaluation.views import joined_view
    from mosaicner.heads.sru import SRUHead
    from mosaicner.training.config import CorpusSpec
    from mosaicner.training.data import prepare_corpus
    from mosaicner.training.run import load_trained

    torch.set_num_threads(args.threads)
    loaded = load_trained(args.model)
    model = loaded.model
    model.eval()
    heads = [h for _, h in model.head_items() if isinstance(h, SRUHead)]
    spec = CorpusSpec(
        name="GENIA-nested",
        splits={"train": args.split, "dev": None, "test": None},  # type: ignore[arg-type]
    )
    pc = prepare_corpus(spec, roles=("train",))
    examples = pc.examples("train")
    types = sorted(pc.labels)
    lengths = [max(1, len(ex.words)) for ex in examples]
    batches = make_batches(lengths, args.max_words)
    encoded = [model.encoder.encode_batch([examples[i].words for i in b]) for b in batches]

    # speed: for every batch, the encoder alone then encoder + SRU decoding (interleaved, so
    # that load from other processes hits both measurements alike), after one warm-up batch
    preds: list[list[Any]] = [[] for _ in examples]
    enc_s = full_s = 0.0
    with torch.inference_mode():
        model.encoder(encoded[0])
        for b, enc in zip(batches, encoded, strict=True):
            t0 = time.perf_counter()
            model.encoder(enc)
            t1 = time.perf_counter()
            feats = model.encoder(enc)
            for head in heads:
                for i, spans in zip(b, head.decode_full(feats), strict=True):
                    preds[i].extend(spans)
            t2 = time.perf_counter()
            enc_s += t1 - t0
            full_s += t2 - t1
    n = len(examples)

    gold = [[(int(s), int(e), str(t)) for s, e, t in ex.spans] for ex in examples]
    pred = [joined_view(p) for p in preds]
    scores = score_spans(gold, pred, types)
    g_nested = [nested(g) for g in gold]
    p_nested = [nested(p) for p in pred]
    n_gold_nested = sum(len(x) for x in g_nested)
    n_pred_nested = sum(len(x) for x in p_nested)
    found = sum(len(gn & set(p)) for gn, p in zip(g_nested, pred, strict=True))
    correct = sum(len(pn & set(g)) for pn, g in zip(p_nested, gold, strict=True))
    rec = found / n_gold_nested if n_gold_nested else 0.0
    prec = correct / n_pred_nested if n_pred_nested else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    result = {
        "command": " ".join(sys.argv),
        "model": str(args.model),
        "split": args.split,
        "sentences": n,
        "scores": scores.to_dict(),
        "nested": {
            "gold_nested_mentions": n_gold_nested,
            "predicted_nested_mentions": n_pred_nested,
            "recall": rec,
            "precision": prec,
            "f1": f1,
        },
        "speed": {
            "threads": args.threads,
            "batches": len(batches),
            "encoder_only_seconds": round(enc_s, 2),
            "encoder_plus_sru_seconds": round(full_s, 2),
            "encoder_only_sentences_per_s": round(n / enc_s, 1),
            "encoder_plus_sru_sentences_per_s": round(n / full_s, 1),
            "sru_share_of_time": round(1 - enc_s / full_s, 3),
            "throughput_ratio": round(enc_s / full_s, 3),
        },
        "decode_counters": {k: v for h in heads for k, v in h.counters.items()},
    }
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2))
    write_markdown(result, out.with_suffix(".md"))
    print(json.dumps({"micro": result["scores"]["micro"], "nested": result["nested"]}, indent=1))
    print(json.dumps(result["speed"], indent=1))


def write_markdown(r: dict[str, Any], path: Path) -> None:
    m = r["scores"]["micro"]
    nd = r["nested"]
    sp = r["speed"]
    lines = [
        f"# SRU head on GENIA-nested {r['split']} (measured)",
        "",
        f"Command: `{r['command']}` ({r['sentences']} sentences).",
        "",
        f"Micro: P {100 * m['precision']:.2f}, R {100 * m['recall']:.2f}, "
        f"**F1 {100 * m['f1']:.2f}** (strict span match, joined view).",
        "",
        "| type | P | R | F1 | TP | FP | FN |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t, v in r["scores"]["per_type"].items():
        lines.append(
            f"| {t} | {100 * v['precision']:.2f} | {100 * v['recall']:.2f} | {100 * v['f1']:.2f} "
            f"| {v['tp']} | {v['fp']} | {v['fn']} |"
        )
    lines += [
        "",
        f"Nested mentions (inside another mention): gold {nd['gold_nested_mentions']}, "
        f"predicted {nd['predicted_nested_mentions']}; recall {100 * nd['recall']:.2f}, "
        f"precision {100 * nd['precision']:.2f}, F1 {100 * nd['f1']:.2f}.",
        "",
        f"Speed ({sp['threads']} thread(s), {sp['batches']} batches, shared CPU): encoder only "
        f"{sp['encoder_only_sentences_per_s']} sentences/s, encoder + SRU decoding "
        f"{sp['encoder_plus_sru_sentences_per_s']} sentences/s; throughput ratio "
        f"{sp['throughput_ratio']} (the decoder takes {100 * sp['sru_share_of_time']:.0f}% of "
        "tagging time).",
        "",
    ]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
