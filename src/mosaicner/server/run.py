"""Run the app under uvicorn with connection time limits and a bounded graceful shutdown.

* ``timeout_keep_alive_s``: an idle keep-alive connection is closed after this long
  (uvicorn's ``timeout_keep_alive``).
* ``request_read_timeout_s``: a connection must deliver a whole request this long after it
  was opened (or after its previous answer).  The request line and headers are timed here, by
  :class:`ReadTimeoutH11Protocol` (uvicorn itself only times connections *between* requests, so
  a client that connects and sends nothing, or half a header, would hold its connection
  forever); the body is timed by :class:`~.app.BodySizeLimit`, which answers 408.
* ``graceful_shutdown_s``: on SIGTERM/SIGINT, requests still running after this long are
  cancelled (uvicorn's ``timeout_graceful_shutdown``); the micro-batcher then stops at once
  (a model call in progress is one bounded batch of sentences).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from mosaicner.server.settings import ServerSettings


class ReadTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers do not arrive in time."""

    read_timeout_s: float = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_timer()

    def _arm_read_timer(self) -> None:
        self._cancel_read_timer()
        self._read_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.read_timeout_s, self._read_timed_out
        )

    def _cancel_read_timer(self) -> None:
        timer = getattr(self, "_read_timer", None)
        if timer is not None:
            timer.cancel()
        self._read_timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._cancel_read_timer()  # headers are in; the body is timed by the app

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_timer()
        super().connection_lost(exc)

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered
        if not self.transport.is_closing():
            self.transport.close()


def protocol_class(read_timeout_s: float) -> type[ReadTimeoutH11Protocol]:
    """A :class:`ReadTimeoutH11Protocol` subclass with this timeout."""
    return type(
        "ConfiguredReadTimeoutH11Protocol",
        (ReadTimeoutH11Protocol,),
        {"read_timeout_s": float(read_timeout_s)},
    )


def uvicorn_config(
    app: Any, settings: ServerSettings, *, host: str, port: int, **options: Any
) -> uvicorn.Config:
    """A uvicorn config applying ``settings``' connection limits to ``app``."""
    # uvicorn annotates both timeouts as int but uses them as seconds for the event loop's
    # timers, so fractions work (the tests use them)
    keep_alive: Any = settings.timeout_keep_alive_s
    graceful: Any = settings.graceful_shutdown_s
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_class(settings.request_read_timeout_s),
        timeout_keep_alive=keep_alive,
        timeout_graceful_shutdown=graceful,
        **options,
    )


def serve_app(app: Any, settings: ServerSettings, *, host: str, port: int, **options: Any) -> None:
    """Serve ``app`` until SIGTERM/SIGINT (blocking)."""
    uvicorn.Server(uvicorn_config(app, settings, host=host, port=port, **options)).run()


__all__ = ["ReadTimeoutH11Protocol", "protocol_class", "serve_app", "uvicorn_config"]
