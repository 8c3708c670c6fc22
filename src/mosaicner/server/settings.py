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
        default=64, ge=1, description="Documents merged into one model call at most."
    )
    max_wait_ms: float = Field(
        default=5.0, ge=0, description="How long the first request of a batch waits for company."
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
