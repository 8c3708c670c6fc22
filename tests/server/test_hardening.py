"""Issue 12: poisoned requests, fairness under mixed load, stalled connections, shutdown time."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from mosaicner.data.model import Document
from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger
from mosaicner.merge import Candidate
from mosaicner.server.app import create_app
from mosaicner.server.batcher import MicroBatcher
from mosaicner.server.settings import ServerSettings
from mosaicner.testing.net import free_port

TERMS = {"Chemical": ["cisplatin", "IL-2"], "Disease": ["lung cancer", "cancer"]}
SURROGATE_BODY = b'{"text": "IL-2 \\ud83d and cancer"}'


@pytest.fixture(scope="module")
def tiny_tagger(tmp_path_factory: pytest.TempPathFactory) -> Tagger:
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_model

    return Tagger.load(make_tiny_model(tmp_path_factory.mktemp("tiny")), num_threads=1)


def _asgi_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120)


# ------------------------------------------------------------------ surrogates, isolation
def test_lone_surrogate_is_422_with_reason(tiny_tagger: Tagger) -> None:
    app = create_app(tiny_tagger)

    async def go() -> list[httpx.Response]:
        async with _asgi_client(app) as client:
            headers = {"content-type": "application/json"}
            return [
                await client.post("/v1/tag", content=SURROGATE_BODY, headers=headers),
                await client.post(
                    "/v1/tag",
                    content=b'{"documents": ["fine", "bad \\udc00"]}',
                    headers=headers,
                ),
                await client.post("/v1/tag", json={"text": "IL-2 \U0001f600 ok"}),
            ]

    one, many, paired = asyncio.run(go())
    assert one.status_code == 422
    assert "surrogate U+D83D at character 5" in one.json()["detail"]
    assert many.status_code == 422
    assert "document 1" in many.json()["detail"]
    assert paired.status_code == 200  # a valid pair (an emoji) is fine


def test_surrogate_request_fails_alone_in_its_micro_batch(tiny_tagger: Tagger) -> None:
    """Scaled-down issue scenario: 12 co-batched requests, one poisoned; 11 answered."""
    app = create_app(tiny_tagger, ServerSettings(max_wait_ms=300))
    texts = [f"Aspirin induced asthma in patient {i}." for i in range(11)]

    async def go() -> list[httpx.Response]:
        async with _asgi_client(app) as client:
            good = [client.post("/v1/tag", json={"text": t}) for t in texts]
            bad = client.post(
                "/v1/tag", content=SURROGATE_BODY, headers={"content-type": "application/json"}
            )
            return list(await asyncio.gather(bad, *good))

    bad, *good = asyncio.run(go())
    assert bad.status_code == 422
    assert [r.status_code for r in good] == [200] * 11


class _PoisonTagger(Tagger):
    """Fails on any batch holding the word POISON (a model failure the checks cannot foresee)."""

    def tag_documents(self, inputs: Sequence[str | Document]) -> list[Document]:
        if any("POISON" in (x if isinstance(x, str) else x.text) for x in inputs):
            raise RuntimeError("the model fell over")
        return super().tag_documents(inputs)

    def candidates(self, docs: Sequence[Document], stats: Any = None) -> list[list[Candidate]]:
        if any("POISON" in d.text for d in docs):
            raise RuntimeError("fell over")
        return super().candidates(docs, stats)


def test_failing_request_does_not_fail_its_batch_mates() -> None:
    app = create_app(_PoisonTagger(DictionaryPredictor(TERMS)), ServerSettings(max_wait_ms=300))
    texts = [f"IL-2 and lung cancer {i}." for i in range(9)]

    async def go() -> tuple[list[httpx.Response], dict[str, Any]]:
        async with _asgi_client(app) as client:
            calls = [client.post("/v1/tag", json={"text": t}) for t in texts]
            calls.append(client.post("/v1/tag", json={"text": "IL-2. POISON here."}))
            resps = list(await asyncio.gather(*calls))
            health = (await client.get("/health")).json()
        return resps, health

    resps, health = asyncio.run(go())
    assert [r.status_code for r in resps] == [200] * 9 + [500]
    for r in resps[:9]:
        assert [e["label"] for e in r.json()["entities"]] == ["Chemical", "Disease", "Disease"]
    assert health["failed_requests"] == 1


def test_batcher_retries_units_alone() -> None:
    calls: list[list[int]] = []

    def fn(items: list[int]) -> list[int]:
        calls.append(items)
        if 13 in items:
            raise ValueError("13")
        return [x * 2 for x in items]

    async def go() -> list[Any]:
        batcher: MicroBatcher[int, int] = MicroBatcher(fn, max_wait_ms=100)
        out = await asyncio.gather(
            batcher.submit([1, 2]),
            batcher.submit([13]),
            batcher.submit([3]),
            return_exceptions=True,
        )
        await batcher.close()
        return list(out)

    ok1, bad, ok2 = asyncio.run(go())
    assert ok1 == [2, 4] and ok2 == [6]
    assert isinstance(bad, ValueError)
    assert calls[0] == [1, 13, 3, 2]  # round-robin: one unit of each request in turn


def test_round_robin_interleaves_requests() -> None:
    seen: list[list[str]] = []

    def fn(items: list[str]) -> list[str]:
        seen.append(items)
        return items

    async def go() -> None:
        batcher: MicroBatcher[str, str] = MicroBatcher(fn, max_batch=3, max_wait_ms=50)
        big = [f"b{i}" for i in range(9)]
        await asyncio.gather(batcher.submit(big), batcher.submit(["s0"]))
        await batcher.close()

    asyncio.run(go())
    assert seen[0] == ["b0", "s0", "b1"]
    assert all(len(call) <= 3 for call in seen)


# ------------------------------------------------------------------ fairness
def test_small_request_finishes_while_a_big_one_runs(tiny_tagger: Tagger) -> None:
    settings = ServerSettings(max_batch_documents=16, max_batch_words=200, max_wait_ms=1)
    app = create_app(tiny_tagger, settings)
    big_text = " ".join(f"Aspirin induced asthma in {i} patients." for i in range(1500))
    finished: dict[str, float] = {}

    async def post(client: httpx.AsyncClient, name: str, text: str) -> httpx.Response:
        r = await client.post("/v1/tag", json={"text": text})
        finished[name] = time.perf_counter()
        return r

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with _asgi_client(app) as client:
            big = asyncio.create_task(post(client, "big", big_text))
            while app.state.batcher.stats.batches < 3:  # the big one is being tagged
                assert not big.done(), "the big request was tagged in fewer than 3 model calls"
                await asyncio.sleep(0.01)
            small = await post(client, "small", "IL-2 in human T cells.")
            assert not big.done(), "the big request ended before the small one was answered"
            return small, await big

    small, big = asyncio.run(go())
    assert small.status_code == 200 and big.status_code == 200
    assert finished["small"] < finished["big"]
    assert len(big.json()["entities"]) > 0


def test_split_tagging_equals_the_tagger(tiny_tagger: Tagger) -> None:
    """Cutting documents into sentences and windows changes no prediction or offset."""
    narrow = Tagger(tiny_tagger.predictor, max_sentence_words=6, window_context=2)
    text = (
        "Aspirin induced asthma in patients with cancer and IL-2 receptor alpha expression in "
        "human T cells of mice and rats treated with the drug.  IL-2 in human T cells; mice.\n"
        "Tumor cells were   treated."
    )
    expected = [
        (s.start, s.end, s.label, round(float(s.score or 0), 6)) for s in narrow(text).layer("pred")
    ]

    async def go() -> httpx.Response:
        async with _asgi_client(create_app(narrow)) as client:
            return await client.post("/v1/tag", json={"documents": [text, "tumor."]})

    resp = asyncio.run(go())
    got = [
        (e["start"], e["end"], e["label"], e["score"])
        for e in resp.json()["documents"][0]["entities"]
    ]
    assert expected, "the tiny model should predict something here"
    assert got == expected
    for e in resp.json()["documents"][0]["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]


# ------------------------------------------------------------------ connections
@pytest.fixture
def strict_server() -> Iterator[tuple[str, int]]:
    from mosaicner.server.run import uvicorn_config

    settings = ServerSettings(
        timeout_keep_alive_s=0.5, request_read_timeout_s=0.8, graceful_shutdown_s=1
    )
    app = create_app(Tagger(DictionaryPredictor(TERMS)), settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn_config(app, settings, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """(closed by the server within ``seconds``, bytes received before)."""
    sock.settimeout(seconds)
    data = b""
    t0 = time.time()
    try:
        while time.time() - t0 < seconds:
            chunk = sock.recv(65536)
            if not chunk:
                return True, data
            data += chunk
    except TimeoutError:
        return False, data
    except ConnectionResetError:
        return True, data
    return False, data


def test_silent_connection_is_closed(strict_server: tuple[str, int]) -> None:
    with socket.create_connection(strict_server) as sock:
        closed, _ = _closed_within(sock, 5)
    assert closed


def test_half_sent_headers_are_closed(strict_server: tuple[str, int]) -> None:
    with socket.create_connection(strict_server) as sock:
        sock.sendall(b"POST /v1/tag HTTP/1.1\r\nHost: x\r\n")
        for _ in range(3):  # trickling bytes does not keep it open
            time.sleep(0.3)
            sock.sendall(b"X-A: b\r\n")
        closed, _ = _closed_within(sock, 5)
    assert closed


def test_stalled_body_gets_408(strict_server: tuple[str, int]) -> None:
    with socket.create_connection(strict_server) as sock:
        sock.sendall(
            b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"text": "'
        )
        closed, data = _closed_within(sock, 5)
    assert data.startswith(b"HTTP/1.1 408")
    assert closed


def test_idle_keep_alive_connection_is_closed(strict_server: tuple[str, int]) -> None:
    body = json.dumps({"text": "IL-2"}).encode()
    with socket.create_connection(strict_server) as sock:
        sock.sendall(
            b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        closed, data = _closed_within(sock, 5)
    assert data.startswith(b"HTTP/1.1 200")
    assert closed


# ------------------------------------------------------------------ shutdown
def test_sigterm_stops_serve_within_5_seconds(tmp_path: Path) -> None:
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "mosaicner.cli.main", "serve", str(terms), "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    stalled: list[socket.socket] = []
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the server exited"
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.2)
        # an idle keep-alive connection, a request whose body stalls, a silent connection
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.recv(4096)
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(
            b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"text": "'
        )
        silent = socket.create_connection(("127.0.0.1", port))
        stalled += [idle, half, silent]
        time.sleep(0.5)
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("serve did not stop within 15 s of SIGTERM")
        elapsed = time.perf_counter() - t0
        assert elapsed < 5, f"serve took {elapsed:.1f} s to stop"
    finally:
        for s in stalled:
            s.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
