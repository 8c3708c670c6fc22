"""Tagging speed: mosaicner vs the transformers token-classification pipeline (CPU).

Measures, on the same encoder and the same sentences (the first N sentences of a corpus test
split, tokens joined by spaces):

* sentences/s of the in-process :class:`~mosaicner.inference.tagger.Tagger` (model loaded,
  one warm-up call excluded), for torch fp32, torch dynamic int8, ONNX Runtime fp32 and int8;
  strict span F1 of each against the gold spans (the accuracy change of int8/ONNX);
* sentences/s of ``transformers.pipeline("token-classification")`` with a
  ``BertForTokenClassification`` that carries the *same encoder weights* (the classifier is
  untrained: only speed is compared), ``aggregation_strategy="simple"``, batch size 1 (the
  default) and 32;
* the ``mosaicner tag`` command end to end (process start, model load, reading, writing) and
  its peak RSS;
* the Ray engine with 1 and 2 workers (one torch thread each).

Run (about 5 minutes on 2 CPU cores)::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tagging_speed.py \
        --model runs/quickstart/model --corpus BC5CDR --sentences 1000 --threads 2 \
        --out benchmarks/tagging_speed

Writes ``OUT.json`` and ``OUT.md``.  One run each, on a shared machine: expect noise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def read_sentences(path: Path, n: int) -> list[tuple[list[str], list[tuple[int, int, str]]]]:
    """First ``n`` sentences of an IOB2 TSV file: words and gold (token) spans."""
    out: list[tuple[list[str], list[tuple[int, int, str]]]] = []
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if not words:
            return
        spans = []
        start = None
        label = ""
        for i, t in enumerate([*tags, "O"]):
            if start is not None and not t.startswith("I-"):
                spans.append((start, i, label))
                start = None
            if t.startswith("B-") or (t.startswith("I-") and start is None):
                start, label = i, t[2:]
        out.append((list(words), spans))
        words.clear()
        tags.clear()

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                flush()
                if len(out) >= n:
                    break
                continue
            if line.startswith("-DOCSTART-"):
                continue
            w, t = line.split("\t")
            words.append(w)
            tags.append(t)
    flush()
    return out[:n]


def f1_against_gold(docs: list[Any], gold: list[list[tuple[int, int, str]]]) -> dict[str, Any]:
    from mosaicner.evaluation.metrics import score_spans

    types = sorted({lab for g in gold for _, _, lab in g})
    lower = {t.lower(): t for t in types}
    pred = []
    for doc in docs:
        pred.append(
            [
                (s.token_start, s.token_end, lower.get(s.label.lower(), s.label))
                for s in doc.layer("pred")
            ]
        )
    scores = score_spans(gold, pred, types)
    micro = scores.micro
    return {
        "precision": round(micro.precision, 4),
        "recall": round(micro.recall, 4),
        "f1": round(micro.f1, 4),
        "types": types,
    }


def time_tagger(tagger: Any, texts: list[str], repeats: int = 1) -> tuple[float, list[Any]]:
    tagger.tag_documents(texts[:32])  # warm-up
    best = float("inf")
    docs: list[Any] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        docs = tagger.tag_documents(texts)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best, docs


def bench_mosaicner(model: str, texts: list[str], gold: list[Any], threads: int) -> dict[str, Any]:
    from mosaicner.inference.tagger import Tagger

    results: dict[str, Any] = {}
    for name, kwargs in [
        ("torch fp32", {}),
        ("torch int8 (dynamic)", {"quantize": True}),
        ("onnxruntime fp32", {"runtime": "onnx"}),
        ("onnxruntime int8 (dynamic)", {"runtime": "onnx", "quantize": True}),
    ]:
        try:
            tagger = Tagger.load(model, num_threads=threads, **kwargs)
        except Exception as exc:  # report and go on (e.g. onnx not installed)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        rate, docs = time_tagger(tagger, texts)
        results[name] = {
            "sentences_per_s": round(rate, 1),
            "entities": sum(len(d.layer("pred")) for d in docs),
            **f1_against_gold(docs, gold),
        }
        print(name, results[name], flush=True)
    return results


def bench_pipeline(model_dir: str, texts: list[str], threads: int) -> dict[str, Any]:
    import torch
    from transformers import BertForTokenClassification, pipeline

    from mosaicner.models import load_model

    torch.set_num_threads(threads)
    model = load_model(model_dir)
    transformer = model.encoder.transformer
    tokenizer = model.encoder.tokenizer
    config = transformer.config
    config.num_labels = 5  # O, B/I x 2 types: the classifier size hardly matters
    tc = BertForTokenClassification(config)
    missing = tc.bert.load_state_dict(transformer.state_dict(), strict=False)
    tc.eval()
    out: dict[str, Any] = {
        "model": "BertForTokenClassification with the mosaicner encoder's weights",
        "missing_keys": len(missing.missing_keys),
    }
    for batch_size in (1, 32):
        pipe = pipeline(
            "token-classification",
            model=tc,
            tokenizer=tokenizer,
            aggregation_strategy="simple",
            device=-1,
            batch_size=batch_size,
        )
        pipe(texts[:16])  # warm-up
        t0 = time.perf_counter()
        with torch.inference_mode():
            pipe(texts)
        dt = time.perf_counter() - t0
        out[f"batch_size={batch_size}"] = {"sentences_per_s": round(len(texts) / dt, 1)}
        print("pipeline", batch_size, out[f"batch_size={batch_size}"], flush=True)
    return out


def bench_cli(model: str, texts: list[str], threads: int, extra: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.txt"
        inp.write_text("\n".join(texts) + "\n", encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        cmd = [
            sys.executable, "-m", "mosaicner.cli.main", "tag", model, "-i", str(inp), "-o",
            str(out), "--threads", str(threads), "-q", *extra,
        ]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        if status != 0:
            raise RuntimeError(f"mosaicner tag failed: {stderr}")
        n = sum(1 for _ in out.open())
    return {
        "command": " ".join(["mosaicner", *cmd[3:]]).replace(tmp, "$TMP"),
        "wall_s": round(wall, 2),
        "sentences_per_s_end_to_end": round(n / wall, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",
    }


def bench_server(model: str, texts: list[str], threads: int) -> dict[str, Any]:
    """Concurrent single-sentence requests against a real uvicorn server on 127.0.0.1, with
    micro-batching (up to 64 documents, 5 ms wait) and without (one request per model call)."""
    import asyncio
    import socket
    import threading

    import httpx
    import uvicorn

    from mosaicner.inference.tagger import Tagger
    from mosaicner.server.app import create_app
    from mosaicner.server.settings import ServerSettings

    tagger = Tagger.load(model, num_threads=threads)
    out: dict[str, Any] = {"requests": len(texts)}
    for name, max_batch in (("micro-batching", 64), ("no batching", 1)):
        app = create_app(tagger, ServerSettings(max_batch_documents=max_batch, max_wait_ms=5))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)

        async def go(port: int = port) -> tuple[float, int, dict[str, Any]]:
            limits = httpx.Limits(max_connections=len(texts))
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=600, limits=limits
            ) as client:
                await client.post("/v1/tag", json={"text": texts[0]})
                t0 = time.perf_counter()
                resps = await asyncio.gather(
                    *(client.post("/v1/tag", json={"text": t}) for t in texts)
                )
                wall = time.perf_counter() - t0
                health = (await client.get("/health")).json()
            return wall, sum(r.status_code != 200 for r in resps), health

        wall, errors, health = asyncio.run(go())
        server.should_exit = True
        thread.join(timeout=30)
        out[name] = {
            "wall_s": round(wall, 2),
            "requests_per_s": round(len(texts) / wall, 1),
            "errors": errors,
            "model_calls": health["batches"] - 1,
            "largest_batch": health["largest_batch"],
        }
        print("server", name, out[name], flush=True)
    return out


def bench_ray(model: str, texts: list[str], workers: list[int]) -> dict[str, Any]:
    import ray

    from mosaicner.inference.batch import InputSpec
    from mosaicner.inference.ray_engine import tag_corpus_ray

    t0 = time.perf_counter()
    ray.init(include_dashboard=False, log_to_driver=False)
    out: dict[str, Any] = {"ray_init_s": round(time.perf_counter() - t0, 1)}
    out["cluster_cpus"] = ray.cluster_resources().get("CPU")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            shards = Path(tmp) / "shards"
            shards.mkdir()
            k = 4
            for s in range(k):
                part = texts[s::k]
                (shards / f"part{s}.txt").write_text("\n".join(part) + "\n", encoding="utf-8")
            for n in workers:
                t0 = time.perf_counter()
                summary = tag_corpus_ray(
                    model, InputSpec(str(shards), "text", "line"), Path(tmp) / f"out{n}.jsonl",
                    "jsonl", num_workers=n, threads=1, chunk_size=64, progress=False,
                )  # fmt: skip
                wall = time.perf_counter() - t0
                out[f"workers={n}"] = {
                    "wall_s": round(wall, 2),
                    "sentences_per_s": round(summary.total / wall, 1),
                    "note": "includes starting the actors and loading the model in each",
                }
                print("ray", n, out[f"workers={n}"], flush=True)
    finally:
        ray.shutdown()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", default="BC5CDR")
    ap.add_argument("--split", default="test")
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="benchmarks/tagging_speed")
    ap.add_argument("--ray-sentences", type=int, default=2000)
    ap.add_argument("--server-requests", type=int, default=500)
    ap.add_argument("--skip-ray", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    data = Path(os.environ.get("MOSAICNER_DATA", REPO.parent / "shared" / "corpora"))
    all_sents = read_sentences(
        data / args.corpus / f"{args.split}.tsv", max(args.sentences, args.ray_sentences)
    )
    ray_texts = [" ".join(w) for w, _ in all_sents[: args.ray_sentences]]
    sents = all_sents[: args.sentences]
    texts = [" ".join(w) for w, _ in sents]
    gold = [g for _, g in sents]
    n_tokens = sum(len(w) for w, _ in sents)
    print(f"{len(texts)} sentences, {n_tokens} tokens", flush=True)

    from mosaicner.inference.tagger import Tagger

    info = Tagger.load(args.model).info()
    results: dict[str, Any] = {
        "command": " ".join(["python", *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "model": {k: info.get(k) for k in ("types", "corpora", "encoder", "parameters")},
        "data": {
            "corpus": args.corpus,
            "split": args.split,
            "sentences": len(texts),
            "tokens": n_tokens,
        },
        "threads": args.threads,
    }
    # the CLI first, so that its peak RSS is measured before this process grows
    results["cli"] = bench_cli(args.model, texts, args.threads, [])
    results["cli_int8"] = bench_cli(args.model, texts, args.threads, ["--quantize"])
    print("cli", results["cli"], results["cli_int8"], flush=True)
    results["mosaicner"] = bench_mosaicner(args.model, texts, gold, args.threads)
    results["pipeline"] = bench_pipeline(args.model, texts, args.threads)
    results["server"] = bench_server(args.model, texts[: args.server_requests], args.threads)
    if not args.skip_ray:
        results["ray"] = bench_ray(args.model, ray_texts, [1, 2])
        results["ray"]["sentences"] = len(ray_texts)
    base = results["mosaicner"]["torch fp32"]["sentences_per_s"]
    results["ratios"] = {
        name: {
            f"vs pipeline {bs}": round(
                r["sentences_per_s"] / results["pipeline"][bs]["sentences_per_s"], 2
            )
            for bs in ("batch_size=1", "batch_size=32")
        }
        for name, r in results["mosaicner"].items()
        if "sentences_per_s" in r
    }
    results["ratios"]["torch fp32 reference"] = base
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(render(results), encoding="utf-8")
    print(render(results))


def render(r: dict[str, Any]) -> str:
    lines = [
        "# Tagging speed (CPU)",
        "",
        f"Command: `{r['command']}`  ",
        f"Date: {r['date']}; {r['machine']['cpus']} CPU cores (shared machine), "
        f"{r['threads']} torch threads; one run per figure; load average (1, 5, 15 min) "
        f"{r['machine']['load_average_at_start']} at start, "
        f"{r['machine'].get('load_average_at_end')} at end.  ",
        f"Model: encoder `{r['model']['encoder']}`, types {r['model']['types']}.  ",
        f"Data: first {r['data']['sentences']} sentences ({r['data']['tokens']} tokens) of "
        f"{r['data']['corpus']} {r['data']['split']}, tokens joined by spaces.",
        "",
        "## In-process tagger vs transformers pipeline (model loaded, warm)",
        "",
        "| runtime | sentences/s | × pipeline (bs 1) | × pipeline (bs 32) | P | R | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in r["mosaicner"].items():
        if "error" in m:
            lines.append(f"| {name} | error: {m['error']} | | | | | |")
            continue
        ratio = r["ratios"][name]
        lines.append(
            f"| mosaicner {name} | {m['sentences_per_s']} | {ratio['vs pipeline batch_size=1']} "
            f"| {ratio['vs pipeline batch_size=32']} | {m['precision']} | {m['recall']} "
            f"| {m['f1']} |"
        )
    for bs in ("batch_size=1", "batch_size=32"):
        p = r["pipeline"][bs]
        lines.append(f"| transformers pipeline ({bs}) | {p['sentences_per_s']} | | | – | – | – |")
    lines += [
        "",
        "F1: strict spans against the gold of these sentences (pipeline: untrained classifier,",
        "speed only).",
        "",
        "## `mosaicner tag` end to end (process start, model load, read, tag, write)",
        "",
        "| variant | wall s | sentences/s | peak RSS MB |",
        "|---|---:|---:|---:|",
    ]
    for key in ("cli", "cli_int8"):
        c = r[key]
        lines.append(
            f"| `{c['command']}` | {c['wall_s']} | {c['sentences_per_s_end_to_end']} "
            f"| {c['peak_rss_mb']} |"
        )
    if "server" in r:
        srv = r["server"]
        lines += [
            "",
            f"## Server: {srv['requests']} concurrent one-sentence requests (uvicorn, 127.0.0.1)",
            "",
            "| mode | wall s | requests/s | model calls | largest batch | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for key in ("micro-batching", "no batching"):
            m = srv[key]
            lines.append(
                f"| {key} | {m['wall_s']} | {m['requests_per_s']} | {m['model_calls']} "
                f"| {m['largest_batch']} | {m['errors']} |"
            )
    if "ray" in r:
        ray = r["ray"]
        lines += [
            "",
            f"## Ray engine ({ray.get('sentences')} sentences, local cluster, "
            f"{ray['cluster_cpus']} CPUs, 1 torch thread per worker; ray.init "
            f"{ray['ray_init_s']} s not included)",
            "",
            "| workers | wall s | sentences/s |",
            "|---:|---:|---:|",
        ]
        for key in ("workers=1", "workers=2"):
            if key in ray:
                row = ray[key]
                lines.append(
                    f"| {key.split('=')[1]} | {row['wall_s']} | {row['sentences_per_s']} |"
                )
        lines.append("")
        lines.append("Wall times include starting the actors and loading the model in each.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
