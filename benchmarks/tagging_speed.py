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

Writes ``OUT.json`` and ``OUT.md``.  In-process systems and the CLI are timed in interleaved
rounds (``--rounds``, every system once per round, the same order each round); ratios are
medians of per-round ratios.  Server and Ray figures are single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
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


def mosaicner_systems(model: str, threads: int) -> dict[str, Any]:
    """Name -> loaded Tagger (or an error string) for the four runtimes."""
    from mosaicner.inference.tagger import Tagger

    out: dict[str, Any] = {}
    for name, kwargs in [
        ("torch fp32", {}),
        ("torch int8 (dynamic)", {"quantize": True}),
        ("onnxruntime fp32", {"runtime": "onnx"}),
        ("onnxruntime int8 (dynamic)", {"runtime": "onnx", "quantize": True}),
    ]:
        try:
            out[name] = Tagger.load(model, num_threads=threads, **kwargs)
        except Exception as exc:  # report and go on (e.g. onnx not installed)
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def pipeline_systems(model_dir: str, threads: int) -> dict[str, Any]:
    """``transformers.pipeline`` with the mosaicner encoder's weights, batch sizes 1 and 32."""
    import torch
    from transformers import BertForTokenClassification, pipeline

    from mosaicner.models import load_model
    from mosaicner.store import resolve_model

    torch.set_num_threads(threads)
    model = load_model(resolve_model(model_dir))
    config = model.encoder.transformer.config
    config.num_labels = 5  # O, B/I x 2 types: the classifier size hardly matters
    tc = BertForTokenClassification(config)
    tc.bert.load_state_dict(model.encoder.transformer.state_dict(), strict=False)
    tc.eval()
    return {
        f"pipeline batch_size={bs}": pipeline(
            "token-classification",
            model=tc,
            tokenizer=model.encoder.tokenizer,
            aggregation_strategy="simple",
            device=-1,
            batch_size=bs,
        )
        for bs in (1, 32)
    }


def run_system(system: Any, texts: list[str]) -> tuple[float, Any]:
    """Seconds for one pass over ``texts`` (and the output)."""
    import torch

    t0 = time.perf_counter()
    if hasattr(system, "tag_documents"):
        out = system.tag_documents(texts)
    else:
        with torch.inference_mode():
            out = system(texts)
    return time.perf_counter() - t0, out


def interleaved(
    model: str, texts: list[str], gold: list[Any], threads: int, rounds: int
) -> dict[str, Any]:
    """Every in-process system and the ``mosaicner tag`` CLI, once per round, same order in
    every round (A B C ..., A B C ...), so machine load drifts hit all alike."""
    systems: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, sys_ in mosaicner_systems(model, threads).items():
        if isinstance(sys_, str):
            errors[name] = sys_
        else:
            systems[name] = sys_
    systems.update(pipeline_systems(model, threads))
    for sys_ in systems.values():  # warm-up
        run_system(sys_, texts[:32])
    times: dict[str, list[float]] = {name: [] for name in systems}
    cli: list[dict[str, Any]] = []
    outputs: dict[str, Any] = {}
    loads = [round(os.getloadavg()[0], 2)]
    for r in range(rounds):
        for name, sys_ in systems.items():
            secs, out = run_system(sys_, texts)
            times[name].append(secs)
            outputs[name] = out
            print(f"round {r + 1} {name}: {len(texts) / secs:.1f} sentences/s", flush=True)
        cli.append(bench_cli(model, texts, threads, []))
        print(f"round {r + 1} cli: {cli[-1]['sentences_per_s_end_to_end']} sentences/s")
        loads.append(round(os.getloadavg()[0], 2))
    res: dict[str, Any] = {"rounds": rounds, "load_average_after_each_round": loads}
    n = len(texts)
    for name, ts in times.items():
        rates = [n / t for t in ts]
        entry: dict[str, Any] = {
            "sentences_per_s_per_round": [round(x, 1) for x in rates],
            "sentences_per_s": round(statistics.median(rates), 1),
        }
        if hasattr(systems[name], "tag_documents"):
            docs = outputs[name]
            entry["entities"] = sum(len(d.layer("pred")) for d in docs)
            entry.update(f1_against_gold(docs, gold))
        res[name] = entry
    for name, err in errors.items():
        res[name] = {"error": err}
    res["cli"] = {
        **cli[-1],
        "sentences_per_s_per_round": [c["sentences_per_s_end_to_end"] for c in cli],
        "sentences_per_s_end_to_end": statistics.median(
            c["sentences_per_s_end_to_end"] for c in cli
        ),
        "peak_rss_mb": max(c["peak_rss_mb"] for c in cli),
    }
    # ratios: per round (same round, adjacent in time), then the median over rounds
    ratios: dict[str, dict[str, float]] = {}
    for name in times:
        if name.startswith("pipeline"):
            continue
        ratios[name] = {}
        for ref in ("pipeline batch_size=1", "pipeline batch_size=32", "torch fp32"):
            if ref == name or ref not in times:
                continue
            per = [b / a for a, b in zip(times[name], times[ref], strict=True)]
            ratios[name][f"vs {ref}"] = round(statistics.median(per), 2)
    cli_vs = [
        c["sentences_per_s_end_to_end"] / (n / t)
        for c, t in zip(cli, times["pipeline batch_size=32"], strict=True)
    ]
    ratios["cli"] = {"vs pipeline batch_size=32": round(statistics.median(cli_vs), 2)}
    res["ratios"] = ratios
    return res


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
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
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
    results["interleaved"] = interleaved(args.model, texts, gold, args.threads, args.rounds)
    if not args.skip_server:
        results["server"] = bench_server(args.model, texts[: args.server_requests], args.threads)
    if not args.skip_ray:
        results["ray"] = bench_ray(args.model, ray_texts, [1, 2])
        results["ray"]["sentences"] = len(ray_texts)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(render(results), encoding="utf-8")
    print(render(results))


def render(r: dict[str, Any]) -> str:
    iv = r["interleaved"]
    lines = [
        "# Tagging speed (CPU)",
        "",
        f"Command: `{r['command']}`  ",
        f"Date: {r['date']}; {r['machine']['cpus']} CPU cores, {r['threads']} torch threads; "
        f"load average (1, 5, 15 min) {r['machine']['load_average_at_start']} at start, "
        f"{r['machine'].get('load_average_at_end')} at end; 1-minute load after each round "
        f"{iv['load_average_after_each_round']}.  ",
        f"Model: encoder `{r['model']['encoder']}`, types {r['model']['types']}.  ",
        f"Data: first {r['data']['sentences']} sentences ({r['data']['tokens']} tokens) of "
        f"{r['data']['corpus']} {r['data']['split']}, tokens joined by spaces.",
        "",
        f"## In-process, interleaved: {iv['rounds']} rounds, every system once per round",
        "",
        "Sentences/s: median over rounds (each round's figure in brackets).  Ratios: the median",
        "over rounds of the per-round ratio (systems of one round ran back to back).",
        "",
        "| system | sentences/s | × pipeline (bs 1) | × pipeline (bs 32) | × torch fp32 | F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, m in iv.items():
        if not isinstance(m, dict) or name in ("cli", "ratios"):
            continue
        if "error" in m:
            lines.append(f"| {name} | error: {m['error']} | | | | |")
            continue
        ratio = iv["ratios"].get(name, {})
        per = ", ".join(str(x) for x in m["sentences_per_s_per_round"])
        label = name if name.startswith("pipeline") else f"mosaicner {name}"
        lines.append(
            f"| {label} | {m['sentences_per_s']} [{per}] "
            f"| {ratio.get('vs pipeline batch_size=1', '')} "
            f"| {ratio.get('vs pipeline batch_size=32', '')} | {ratio.get('vs torch fp32', '')} "
            f"| {m.get('f1', '–')} |"
        )
    c = iv["cli"]
    per = ", ".join(str(x) for x in c["sentences_per_s_per_round"])
    cli_ratio = iv["ratios"]["cli"]["vs pipeline batch_size=32"]
    lines += [
        "",
        "F1: strict spans against the gold of these sentences (pipeline: untrained classifier,",
        "speed only).",
        "",
        "## `mosaicner tag` end to end (process start, model load, read, tag, write), per round",
        "",
        f"`{c['command']}`: {c['sentences_per_s_end_to_end']} sentences/s (median; rounds "
        f"[{per}]), × pipeline (bs 32, same round) {cli_ratio}, peak RSS {c['peak_rss_mb']} MB.",
    ]
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
