"""Server settings (``mosaicner serve`` options, or ``MOSAICNER_SERVE_*`` environment variables)."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field


class ServerSettings(BaseModel):
    """Limits and micro-batching of the HTTP server."""

    max_body_bytes: int = Field(
        default=2_000_000, ge=1, description="Larger request bodies get 413."
    )
    max_documents_per_request: int = Field(
        default=1000, ge=1, description="More documents get 422."
    )
    max_batch_documents: int = Field(
        default=64,
        ge=1,
        description="Units of work (sentences, or windows of long sentences) in one model call "
        "at most; documents are cut into sentences, so a long document shares model calls.",
    )
    max_batch_words: int = Field(
        default=256,
        ge=1,
        description="Words in one model call at most: bounds how long a small request waits "
        "behind the model call in progress (raise it for throughput on a GPU).",
    )
    max_wait_ms: float = Field(
        default=5.0, ge=0, description="How long the first request of a batch waits for company."
    )
    timeout_keep_alive_s: float = Field(
        default=5.0, gt=0, description="An idle keep-alive connection is closed after this long."
    )
    request_read_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="A connection that has not sent a whole request (headers and body) this long "
        "after connecting, or after its previous answer, is closed (slow or stalled clients).",
    )
    graceful_shutdown_s: float = Field(
        default=2.0,
        ge=0,
        description="On SIGTERM/SIGINT, requests still running after this long are cancelled.",
    )
    title: str = "mosaicner"

    @classmethod
    def from_env(cls, prefix: str = "MOSAICNER_SERVE_") -> ServerSettings:
        values = {
            name: os.environ[prefix + name.upper()]
            for name in cls.model_fields
            if prefix + name.upper() in os.environ
        }
        return cls.model_validate(values)


__all__ = ["ServerSettings"]
