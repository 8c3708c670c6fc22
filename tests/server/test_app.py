from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from fastapi.testclient import TestClient

from mosaicner.inference.dictionary import DictionaryPredictor
from mosaicner.inference.tagger import Tagger
from mosaicner.server.app import create_app
from mosaicner.server.settings import ServerSettings

TERMS = {
    "Chemical": ["cisplatin", "IL-2"],
    "Disease": ["nephrotoxicity", "lung cancer", "cancer"],
    "Species": ["rats"],
}


def make_tagger() -> Tagger:
    return Tagger(DictionaryPredictor(TERMS))


def _client(**settings: object) -> TestClient:
    return TestClient(create_app(make_tagger(), ServerSettings(**settings)))  # type: ignore[arg-type]


def test_tag_text_offsets_match() -> None:
    text = "Cisplatin-induced  nephrotoxicity\nin rats; lung cancer."
    with _client() as client:
        resp = client.post("/v1/tag", json={"text": text})
    assert resp.status_code == 200
    ents = resp.json()["entities"]
    assert {(e["text"], e["label"]) for e in ents} == {
        ("Cisplatin", "Chemical"),
        ("nephrotoxicity", "Disease"),
        ("rats", "Species"),
        ("lung cancer", "Disease"),
        ("cancer", "Disease"),
    }
    for e in ents:
        assert text[e["start"] : e["end"]] == e["text"]
        assert set(e) == {"start", "end", "label", "text", "score", "heads"}
        assert len(e["heads"]) == 1 and e["heads"][0]["head"]  # the one dictionary "head"


def test_tag_documents_batch_in_order() -> None:
    docs = [{"id": "a", "text": "IL-2"}, "no entity", {"text": "cancer and rats"}]
    with _client() as client:
        resp = client.post("/v1/tag", json={"documents": docs})
    assert resp.status_code == 200
    out = resp.json()["documents"]
    assert [d["id"] for d in out] == ["a", None, None]
    assert [[e["text"] for e in d["entities"]] for d in out] == [["IL-2"], [], ["cancer", "rats"]]


def test_validation_errors_are_422() -> None:
    with _client(max_documents_per_request=2) as client:
        assert (
            client.post(
                "/v1/tag", content=b'{"text": "x"', headers={"content-type": "application/json"}
            ).status_code
            == 422
        )
        assert (
            client.post(
                "/v1/tag", content=b"not json", headers={"content-type": "application/json"}
            ).status_code
            == 422
        )
        assert client.post("/v1/tag", json={}).status_code == 422
        assert client.post("/v1/tag", json={"text": "a", "documents": ["b"]}).status_code == 422
        assert client.post("/v1/tag", json={"text": 3}).status_code == 422
        assert client.post("/v1/tag", json={"documents": ["a", "b", "c"]}).status_code == 422
        assert client.post("/v1/tag", json={"txt": "a"}).status_code == 422


def test_model_health_docs_and_page() -> None:
    with _client() as client:
        info = client.get("/v1/model").json()
        assert info["types"] == sorted(TERMS)
        assert {"types", "corpora", "encoder", "version"} <= set(info)
        assert client.get("/health").json()["status"] == "ok"
        schema = client.get("/openapi.json").json()
        assert "/v1/tag" in schema["paths"] and "/v1/model" in schema["paths"]
        assert client.get("/docs").status_code == 200
        page = client.get("/")
        assert page.status_code == 200 and "tag-button" in page.text


def test_body_limit_from_content_length_and_stream(live_server: str) -> None:
    big = b'{"text": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    with httpx.Client(base_url=live_server, timeout=60) as client:
        resp = client.post("/v1/tag", content=big, headers={"content-type": "application/json"})
        assert resp.status_code == 413

        def chunks():  # no Content-Length: chunked transfer, counted while streaming
            yield b'{"text": "'
            for _ in range(20):
                yield b"a" * (1024 * 1024)
            yield b'"}'

        resp = client.post(
            "/v1/tag", content=chunks(), headers={"content-type": "application/json"}
        )
        assert resp.status_code == 413
        assert client.post("/v1/tag", json={"text": "cancer"}).status_code == 200


def test_200_concurrent_requests_no_errors_and_batched(live_server: str) -> None:
    rng = random.Random(0)
    words = ["cisplatin", "IL-2", "lung", "cancer", "rats", "the", "of", "(", ")", ".", "é"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(200)]

    async def go() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=limits) as client:
            before = (await client.get("/health")).json()
            resps = await asyncio.gather(*(client.post("/v1/tag", json={"text": t}) for t in texts))
            after = (await client.get("/health")).json()
        assert after["requests"] - before["requests"] == 200
        assert after["batches"] - before["batches"] < 200  # requests were merged
        return list(resps)

    resps = asyncio.run(go())
    assert [r.status_code for r in resps] == [200] * 200
    for text, r in zip(texts, resps, strict=True):
        for e in r.json()["entities"]:
            assert text[e["start"] : e["end"]] == e["text"]


def test_app_with_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("torch")
    from mosaicner.testing.tiny import make_tiny_model

    tagger = Tagger.load(make_tiny_model(tmp_path_factory.mktemp("tiny")), num_threads=1)
    text = "Aspirin-induced asthma in patients.\nIL-2 in human T cells; mice."
    with TestClient(create_app(tagger)) as client:
        info = client.get("/v1/model").json()
        assert info["types"] == ["Chemical", "Disease", "Species"]
        assert info["corpora"] == {"BC5CDR": ["Chemical", "Disease"], "linnaeus": ["Species"]}
        assert info["version"]
        ents = client.post("/v1/tag", json={"text": text}).json()["entities"]
        batch = client.post("/v1/tag", json={"documents": [text, text]}).json()["documents"]
    assert ents and batch[0]["entities"] == ents and batch[1]["entities"] == ents
    for e in ents:
        assert text[e["start"] : e["end"]] == e["text"]
