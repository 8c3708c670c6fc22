"""The HTTP API: ``create_app(tagger, settings)`` returns a FastAPI application.

Endpoints: ``POST /v1/tag``, ``GET /v1/model``, ``GET /health``, a web page at ``/``, OpenAPI
docs at ``/docs``.  Request bodies over ``settings.max_body_bytes`` get 413 (checked from
``Content-Length`` and while the body streams in); a body that has not arrived
``settings.request_read_timeout_s`` after the request started gets 408; malformed JSON,
invalid requests and texts with lone surrogates (``"\\ud83d"``) get 422.

Each document is tokenised and cut into sentences (long sentences into the same overlapping
word windows the tagger itself would use); the sentences of all concurrent requests are
scheduled round-robin into bounded model calls (:class:`~.batcher.MicroBatcher`), so a
one-sentence request is never stuck behind a long one.  A request whose tagging fails fails
alone (500, or 422 for bad input); the other requests of the same model call get their answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import partial
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse

from mosaicner._version import __version__
from mosaicner.data.model import Document, Sentence, Span, Token, span_sort_key
from mosaicner.errors import DataError, MosaicnerError
from mosaicner.inference.tagger import plan_windows
from mosaicner.inference.textcheck import invalid_text_reason
from mosaicner.merge import Candidate, MergeConfig, merge_candidates
from mosaicner.server.batcher import BatcherClosedError, MicroBatcher
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


class _BodyTimeout(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(status_code=408, detail=f"request body not received within {seconds} s")


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` (declared or streamed); 408 for a
    body that has not arrived ``read_timeout_s`` seconds after the request started."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    async def _reject(self, send: Send, status: int = 413, detail: str | None = None) -> None:
        body = json.dumps(
            {"detail": detail or f"request body larger than the limit of {self.max_bytes} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
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
        body_done = False
        loop = asyncio.get_running_loop()
        timeout = self.read_timeout_s
        deadline = None if timeout is None else loop.time() + timeout

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if deadline is None or body_done:
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise _BodyTimeout(float(timeout or 0)) from None
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
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
        except _BodyTimeout as exc:
            if not started:
                await self._reject(send, 408, str(exc.detail))


def _entity(text: str, span: Span) -> Entity:
    return Entity(
        start=span.start,
        end=span.end,
        label=span.label,
        text=text[span.start : span.end],
        score=None if span.score is None else round(float(span.score), 6),
        heads=[HeadVote(**h) for h in span.attrs.get("heads", [])],
    )


class _Unit:
    """One sentence (or window of a long sentence) of one document of a request."""

    __slots__ = ("char_offset", "doc", "index", "own_end", "own_start", "token_offset")

    def __init__(
        self, index: int, doc: Document, char_offset: int, token_offset: int, own: tuple[int, int]
    ) -> None:
        self.index = index  # document index in the request
        self.doc = doc  # a small document holding only this piece
        self.char_offset = char_offset
        self.token_offset = token_offset
        self.own_start, self.own_end = own  # piece-local token range whose span starts count


def _piece(doc: Document, a: int, b: int) -> tuple[Document, int]:
    """Tokens ``[a, b)`` of ``doc`` as a one-sentence document; and its character offset."""
    first = doc.tokens[a].start
    text = doc.text[first : doc.tokens[b - 1].end]
    tokens = tuple(Token(t.text, t.start - first, t.end - first) for t in doc.tokens[a:b])
    return Document(f"{doc.id}@{a}", text, tokens, (Sentence(0, len(text), 0, b - a),)), first


def split_units(
    docs: list[Document], max_sentence_words: int | None, window_context: int
) -> list[_Unit]:
    """Cut prepared documents into sentences; long sentences into the tagger's windows."""
    units: list[_Unit] = []
    for di, doc in enumerate(docs):
        for sent in doc.sentences:
            n = sent.token_end - sent.token_start
            if n <= 0:
                continue
            plan = (
                plan_windows(n, max_sentence_words, window_context)
                if max_sentence_words
                else [(0, n, 0, n)]
            )
            for start, end, own_start, own_end in plan:
                a = sent.token_start + start
                piece, offset = _piece(doc, a, sent.token_start + end)
                units.append(_Unit(di, piece, offset, a, (own_start - start, own_end - start)))
    return units


def _shift(unit: _Unit, c: Candidate) -> Candidate | None:
    """A piece's candidate in its document's offsets; ``None`` outside the piece's own words."""
    if c.token_start is not None and not unit.own_start <= c.token_start < unit.own_end:
        return None
    return replace(
        c,
        start=c.start + unit.char_offset,
        end=c.end + unit.char_offset,
        token_start=None if c.token_start is None else c.token_start + unit.token_offset,
        token_end=None if c.token_end is None else c.token_end + unit.token_offset,
    )


def merge_units(
    docs: list[Document],
    units: list[_Unit],
    tagged: list[Any],
    layer: str,
    merge: MergeConfig | None = None,
) -> list[list[Span]]:
    """The spans of each document, in document offsets, from its tagged pieces.

    ``tagged`` holds, per piece, either the heads' candidates (a tagger with ``candidates``:
    they are merged here over the whole document with ``merge``, exactly as the tagger merges,
    so the answer does not depend on how the document was cut) or a tagged piece document.
    """
    found: list[list[Span]] = [[] for _ in docs]
    cands: list[list[Candidate]] = [[] for _ in docs]
    for unit, piece in zip(units, tagged, strict=True):
        if isinstance(piece, list):
            cands[unit.index].extend(c for c in map(partial(_shift, unit), piece) if c)
            continue
        for sp in piece.layer(layer):
            ts = sp.token_start
            if ts is not None and not unit.own_start <= ts < unit.own_end:
                continue
            found[unit.index].append(
                Span(
                    sp.start + unit.char_offset,
                    sp.end + unit.char_offset,
                    sp.label,
                    None if sp.token_start is None else sp.token_start + unit.token_offset,
                    None if sp.token_end is None else sp.token_end + unit.token_offset,
                    sp.score,
                    sp.attrs,  # provenance of the merge (attrs["heads"])
                )
            )
    for i, doc_cands in enumerate(cands):
        if doc_cands:
            found[i].extend(
                m.to_span() for m in merge_candidates(doc_cands, merge or MergeConfig())
            )
    for spans in found:
        spans.sort(key=span_sort_key)
    return found


def _json(response: TagResponse) -> JSONResponse:
    """Only the field that was asked for (``entities`` or ``documents``); nulls inside kept."""
    data = response.model_dump(exclude={k for k, v in response if v is None})
    return JSONResponse(data)


def _page() -> str:
    return resources.files("mosaicner.server").joinpath("static/index.html").read_text("utf-8")


def _tagging_functions(
    tagger: Any,
) -> tuple[
    Callable[[list[Document]], list[Any]],
    Callable[[list[Document]], tuple[list[Document], list[_Unit]]],
]:
    """``run`` (one model call over pieces) and ``prepare`` (documents -> pieces) for a tagger."""
    max_sentence_words: int | None = getattr(tagger, "max_sentence_words", None)
    window_context: int = int(getattr(tagger, "window_context", 0))
    prepare_one = getattr(tagger, "prepare", None)
    by_candidates = callable(getattr(tagger, "candidates", None))

    def run(items: list[Document]) -> list[Any]:
        # a Tagger's pieces come back as unmerged candidates: the merge runs per document
        if by_candidates:
            return list(tagger.candidates(items))
        return list(tagger.tag_documents(items))

    def prepare(items: list[Document]) -> tuple[list[Document], list[_Unit]]:
        if prepare_one is None:
            from mosaicner.data.tokenization import make_document

            docs = [make_document(d.id, d.text) for d in items]
        else:
            docs = [prepare_one(d, i) for i, d in enumerate(items)]
        return docs, split_units(docs, max_sentence_words, window_context)

    return run, prepare


def create_app(tagger: Any, settings: ServerSettings | None = None) -> FastAPI:
    """A FastAPI app serving ``tagger`` (a :class:`~mosaicner.inference.tagger.Tagger`)."""
    settings = settings or ServerSettings()
    layer: str = getattr(tagger, "layer", "pred")
    merge: MergeConfig | None = getattr(tagger, "merge", None)
    run, prepare = _tagging_functions(tagger)

    batcher: MicroBatcher[Document, Any] = MicroBatcher(
        run,
        max_batch=settings.max_batch_documents,
        max_wait_ms=settings.max_wait_ms,
        max_cost=settings.max_batch_words,
        cost=lambda d: len(d.tokens),
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

    async def tag_all(items: list[Document]) -> list[list[Span]]:
        bad = [
            f"document {i}: {reason}" if len(items) > 1 else reason
            for i, d in enumerate(items)
            if (reason := invalid_text_reason(d.text)) is not None
        ]
        if bad:
            raise HTTPException(status_code=422, detail="; ".join(bad))
        try:
            docs, units = await asyncio.to_thread(prepare, items)
            tagged = await batcher.submit([u.doc for u in units], documents=len(items))
        except BatcherClosedError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        except DataError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        except MosaicnerError as exc:
            raise HTTPException(status_code=500, detail=f"tagging failed: {exc}") from exc
        return merge_units(docs, units, tagged, layer, merge)

    @app.post("/v1/tag", response_model=TagResponse)
    async def tag(request: TagRequest) -> JSONResponse:
        """Tag one ``text`` or a batch of ``documents``; offsets index each input text."""
        if request.text is not None:
            (spans,) = await tag_all([Document("text", request.text)])
            return _json(TagResponse(entities=[_entity(request.text, sp) for sp in spans]))
        docs_in = request.documents or []
        if len(docs_in) > settings.max_documents_per_request:
            raise HTTPException(
                status_code=422,
                detail=f"at most {settings.max_documents_per_request} documents a request",
            )
        items: list[Document] = []
        ids: list[str | None] = []
        for i, d in enumerate(docs_in):
            if isinstance(d, DocumentIn):
                ids.append(d.id)
                items.append(Document(d.id or f"doc{i}", d.text))
            else:
                ids.append(None)
                items.append(Document(f"doc{i}", d))
        found = await tag_all(items)
        return _json(
            TagResponse(
                documents=[
                    TaggedDocument(id=doc_id, entities=[_entity(doc.text, sp) for sp in spans])
                    for doc_id, doc, spans in zip(ids, items, found, strict=True)
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
            units=s.units,
            failed_requests=s.failed_requests,
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_page())

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        read_timeout_s=settings.request_read_timeout_s,
    )
    return app


__all__ = ["BodySizeLimit", "create_app", "merge_units", "split_units"]
