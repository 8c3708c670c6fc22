"""The HTTP API: ``create_app(tagger, settings)`` returns a FastAPI application.

Endpoints: ``POST /v1/tag``, ``GET /v1/model``, ``GET /health``, a web page at ``/``, OpenAPI
docs at ``/docs``.  Request bodies over ``settings.max_body_bytes`` get 413 (checked from
``Content-Length`` and while the body streams in); malformed JSON and invalid requests get 422.
Concurrent requests are merged into one model call (:class:`~.batcher.MicroBatcher`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse

from mosaicner._version import __version__
from mosaicner.data.model import Document
from mosaicner.server.batcher import MicroBatcher
from mosaicner.server.schemas import (
    DocumentIn,
    Entity,
    HeadVote,
    Health,
    ModelInfo,
    TaggedDocument,
    TagRequest,
    TagResponse,
)
from mosaicner.server.settings import ServerSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI turns it into a 413 response."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413, detail=f"request body larger than the limit of {limit} bytes"
        )


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"request body larger than the limit of {self.max_bytes} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._reject(send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._reject(send)


def _entities(doc: Document, layer: str) -> list[Entity]:
    return [
        Entity(
            start=s.start,
            end=s.end,
            label=s.label,
            text=doc.span_text(s),
            score=None if s.score is None else round(float(s.score), 6),
            heads=[HeadVote(**h) for h in s.attrs.get("heads", [])],
        )
        for s in doc.layer(layer)
    ]


def _json(response: TagResponse) -> JSONResponse:
    """Only the field that was asked for (``entities`` or ``documents``); nulls inside kept."""
    data = response.model_dump(exclude={k for k, v in response if v is None})
    return JSONResponse(data)


def _page() -> str:
    return resources.files("mosaicner.server").joinpath("static/index.html").read_text("utf-8")


def create_app(tagger: Any, settings: ServerSettings | None = None) -> FastAPI:
    """A FastAPI app serving ``tagger`` (a :class:`~mosaicner.inference.tagger.Tagger`)."""
    settings = settings or ServerSettings()
    layer: str = getattr(tagger, "layer", "pred")

    def run(items: list[str | Document]) -> list[Document]:
        return list(tagger.tag_documents(items))

    batcher: MicroBatcher[str | Document, Document] = MicroBatcher(
        run, max_batch=settings.max_batch_documents, max_wait_ms=settings.max_wait_ms
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await batcher.close()

    app = FastAPI(
        title=settings.title,
        version=__version__,
        description="Biomedical named entity recognition: nested spans with character offsets.",
        lifespan=lifespan,
    )
    app.state.tagger = tagger
    app.state.batcher = batcher
    app.state.settings = settings

    @app.post("/v1/tag", response_model=TagResponse)
    async def tag(request: TagRequest) -> JSONResponse:
        """Tag one ``text`` or a batch of ``documents``; offsets index each input text."""
        if request.text is not None:
            (doc,) = await batcher.submit([Document("text", request.text)])
            return _json(TagResponse(entities=_entities(doc, layer)))
        docs_in = request.documents or []
        if len(docs_in) > settings.max_documents_per_request:
            raise HTTPException(
                status_code=422,
                detail=f"at most {settings.max_documents_per_request} documents a request",
            )
        items: list[str | Document] = []
        ids: list[str | None] = []
        for i, d in enumerate(docs_in):
            if isinstance(d, DocumentIn):
                ids.append(d.id)
                items.append(Document(d.id or f"doc{i}", d.text))
            else:
                ids.append(None)
                items.append(Document(f"doc{i}", d))
        tagged = await batcher.submit(items)
        return _json(
            TagResponse(
                documents=[
                    TaggedDocument(id=doc_id, entities=_entities(doc, layer))
                    for doc_id, doc in zip(ids, tagged, strict=True)
                ]
            )
        )

    @app.get("/v1/model", response_model=ModelInfo)
    async def model_info() -> ModelInfo:
        """Entity types, training corpora, encoder and version of the served model."""
        return ModelInfo.model_validate(tagger.info())

    @app.get("/health", response_model=Health)
    async def health() -> Health:
        s = batcher.stats
        return Health(
            status="ok",
            requests=s.requests,
            documents=s.documents,
            batches=s.batches,
            largest_batch=s.largest_batch,
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_page())

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


__all__ = ["BodySizeLimit", "create_app"]
