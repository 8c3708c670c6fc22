"""Server latency under mixed load: small requests beside a 1 MB request, 200 concurrent
requests, and the time ``mosaicner serve`` takes to stop on SIGTERM.

The model is real-size but untrained: the MiniLM encoder (all-MiniLM-L6-v2, 6 layers, hidden
384) with one untrained CRF head (Chemical, Disease), saved with ``MultiTaskModel.save``.
Latency does not depend on training; the predictions are meaningless.

Scenarios (the server is a ``mosaicner serve`` subprocess on 127.0.0.1):

1. **mixed**: one request of about 1 MB of text (about 11,500 sentences); while it runs,
   ``--clients`` clients each send one-sentence requests back to back for ``--window``
   seconds.  Recorded: the latency of every one-sentence request answered while the big one
   was in progress, and how far the big one got (sentences tagged, from ``/health``).  On a
   CPU the big request takes many minutes, so it is not waited for.
2. **concurrent**: ``--concurrent`` one-sentence requests sent at once (one connection each).
3. **shutdown**: a 1 MB request in flight plus an idle and a stalled connection, then SIGTERM:
   seconds until the process has exited.

Run::

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python benchmarks/server_fairness.py \
        --threads 2 --out benchmarks/server_fairness

Writes ``OUT.json`` (settings, load averages, every raw latency) and ``OUT.md`` (the table).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Cisplatin-induced nephrotoxicity was observed in rats treated with high doses.",
    "Patients with lung cancer received 5-fluorouracil and leucovorin for six months.",
    "IL-2 expression in human T cells was reduced after treatment with cyclosporin A.",
    "The incidence of hepatotoxicity was higher among women than among men.",
    "Mutations in BRCA1 increase the risk of breast and ovarian cancer.",
]


def build_model(folder: Path) -> Path:
    """The untrained MiniLM + CRF model (reused when already saved)."""
    if (folder / "model.safetensors").is_file():
        return folder
    import torch

    from mosaicner.encoders.config import EncoderConfig
    from mosaicner.encoders.transformer import TransformerEncoder
    from mosaicner.heads.base import build_head
    from mosaicner.models import MultiTaskModel

    torch.manual_seed(0)
    encoder = TransformerEncoder.from_config(EncoderConfig())
    labels = ["Chemical", "Disease"]
    head = build_head("crf", int(encoder.hidden_size), labels, {"BC5CDR": labels})
    model = MultiTaskModel(encoder, {"BC5CDR": head}, {"BC5CDR": "BC5CDR"})
    return model.save(folder, metadata={"note": "untrained heads, for latency benchmarks only"})


def big_text(n_bytes: int) -> str:
    parts: list[str] = []
    size = 0
    i = 0
    while size < n_bytes:
        s = SENTENCES[i % len(SENTENCES)]
        parts.append(s)
        size += len(s) + 1
        i += 1
    return " ".join(parts)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": max(values) if values else float("nan"),
    }


def start_server(model: Path, port: int, threads: int, extra: list[str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "mosaicner.cli.main", "serve", str(model), "--port", str(port)]
    cmd += ["--threads", str(threads), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        if time.time() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.3)


async def mixed(base: str, text: str, clients: int, window: float) -> dict[str, Any]:
    small: list[float] = []
    after_big: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=base, timeout=1800, limits=limits) as client:
        units_before = (await client.get("/health")).json().get("units", 0)
        big_task = asyncio.create_task(client.post("/v1/tag", json={"text": text}))
        await asyncio.sleep(2.0)  # the big request is read, split and running
        units_start = (await client.get("/health")).json().get("units", 0)
        t_end = time.perf_counter() + window

        async def one(k: int) -> None:
            nonlocal errors
            i = k
            while not big_task.done() and time.perf_counter() < t_end:
                s = SENTENCES[i % len(SENTENCES)]
                i += 1
                t = time.perf_counter()
                r = await client.post("/v1/tag", json={"text": s})
                if big_task.done():  # answered only once the big one was done
                    after_big.append(time.perf_counter() - t)
                    break
                if r.status_code != 200:
                    errors += 1
                small.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(k) for k in range(clients)))
        elapsed = time.perf_counter() - t0
        units_end = (await client.get("/health")).json().get("units", 0)
        big_done = big_task.done()
        big_task.cancel()
    n_small = len(small) + len(after_big)
    return {
        "big_bytes": len(text.encode()),
        "big_sentences_tagged_in_window": units_end - units_start - n_small,
        "units_before_big": units_before,
        "window_seconds": elapsed,
        "big_finished_in_window": big_done,
        "small_latencies": small,
        "small_answered_after_big_latencies": after_big,
        "small_errors": errors,
        "small": summary(small),
    }


async def concurrent(base: str, n: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:
        await client.get("/health")

        async def one(i: int) -> tuple[float, int]:
            t = time.perf_counter()
            r = await client.post("/v1/tag", json={"text": SENTENCES[i % len(SENTENCES)]})
            return time.perf_counter() - t, r.status_code

        t0 = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - t0
    lat = [t for t, _ in results]
    return {
        "n": n,
        "wall_seconds": wall,
        "errors": sum(1 for _, c in results if c != 200),
        "latencies": lat,
        "summary": summary(lat),
    }


def shutdown(model: Path, port: int, threads: int, text: str, extra: list[str]) -> dict[str, Any]:
    proc = start_server(model, port, threads, extra)
    body = json.dumps({"text": text}).encode()
    busy = socket.create_connection(("127.0.0.1", port))
    busy.sendall(
        b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    idle = socket.create_connection(("127.0.0.1", port))
    time.sleep(3.0)  # the big request is being tagged
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
        seconds = time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        seconds = float("inf")
    for s in (busy, stalled, idle):
        s.close()
    return {"seconds_to_exit": seconds, "returncode": proc.returncode}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", type=Path, default=Path("/tmp/mosaicner-bench-minilm-crf"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--big-bytes", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--window", type=float, default=60.0, help="Seconds of the mixed scenario.")
    ap.add_argument("--concurrent", type=int, default=200)
    ap.add_argument("--serve-args", default="", help="Extra `mosaicner serve` options.")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "server_fairness")
    args = ap.parse_args()
    extra = args.serve_args.split()
    load_before = os.getloadavg()
    t_build = time.perf_counter()
    model = build_model(args.model_dir)
    build_s = time.perf_counter() - t_build
    text = big_text(args.big_bytes)
    port = free_port()
    proc = start_server(model, port, args.threads, extra)
    base = f"http://127.0.0.1:{port}"
    try:
        conc = asyncio.run(concurrent(base, args.concurrent))
        mix = asyncio.run(mixed(base, text, args.clients, args.window))
        health = httpx.get(base + "/health").json()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    stop = shutdown(model, free_port(), args.threads, text, extra)
    load_after = os.getloadavg()
    command = " ".join(["python", "benchmarks/server_fairness.py", *sys.argv[1:]])
    result = {
        "command": command,
        "model": "all-MiniLM-L6-v2 encoder + untrained CRF head (Chemical, Disease)",
        "model_build_seconds": build_s,
        "threads": args.threads,
        "serve_args": extra,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "mixed": mix,
        "concurrent": conc,
        "shutdown": stop,
        "health": health,
    }
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    m, c = mix["small"], conc["summary"]
    late = mix["small_answered_after_big_latencies"]
    late_text = (
        f"; {len(late)} requests were answered only after the big one ended "
        f"(latency up to {max(late):.1f} s, not in the percentiles)"
        if late
        else ""
    )
    stop_s = stop["seconds_to_exit"]
    stop_text = (
        f"exit after {stop_s:.2f} s (code {stop['returncode']})"
        if stop_s != float("inf")
        else "no exit within 30 s (killed)"
    )
    lines = [
        "# Server latency under mixed load",
        "",
        f"Command: `{command}`",
        "",
        f"Model: {result['model']}: untrained weights, real size (latency only). "
        f"{args.threads} torch threads; {os.cpu_count()} CPU cores shared with other work; "
        f"load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f}.  One run; raw latencies in `{args.out.name}.json`.",
        "",
        "| scenario | requests | p50 s | p95 s | max s | errors | other |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| one-sentence requests while a {mix['big_bytes'] / 1e6:.2f} MB request runs "
        f"({args.clients} clients back to back) | {m['n']} | {m['p50']:.2f} | {m['p95']:.2f} | "
        f"{m['max']:.2f} | {mix['small_errors']} | {mix['window_seconds']:.0f} s window; the big "
        f"request tagged {mix['big_sentences_tagged_in_window']} of its sentences meanwhile "
        f"(finished: {mix['big_finished_in_window']}){late_text} |",
        f"| {conc['n']} concurrent one-sentence requests | {c['n']} | {c['p50']:.2f} | "
        f"{c['p95']:.2f} | {c['max']:.2f} | {conc['errors']} | wall {conc['wall_seconds']:.1f} s |",
        f"| SIGTERM with a {mix['big_bytes'] / 1e6:.2f} MB request in flight, an idle and a "
        "stalled connection | 1 | - | - | "
        f"- | - | {stop_text} |",
        "",
    ]
    args.out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
