from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger
from mosaicner.server.app import create_app
from mosaicner.server.settings import ServerSettings
from mosaicner.testing.net import free_port

TERMS = {
    "Chemical": ["cisplatin", "IL-2"],
    "Disease": ["nephrotoxicity", "lung cancer", "cancer"],
    "Species": ["rats"],
}


def make_tagger() -> Tagger:
    return Tagger(DictionaryPredictor(TERMS))


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 in a thread; yields its base URL."""
    app = create_app(make_tagger(), ServerSettings(max_body_bytes=1_000_000, max_wait_ms=5))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
