"""Request and response models of the HTTP API (they make the OpenAPI document at /docs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="Your identifier; echoed back.")
    text: str = Field(..., description="Raw text; offsets in the answer index this string.")


class TagRequest(BaseModel):
    """Either one ``text`` or a list of ``documents`` (objects with ``text`` or plain strings)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "Cisplatin-induced nephrotoxicity in rats."},
                {"documents": [{"id": "p1", "text": "IL-2 in T cells."}, "Lung cancer."]},
            ]
        },
    )

    text: str | None = None
    documents: list[DocumentIn | str] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TagRequest:
        if (self.text is None) == (self.documents is None):
            raise ValueError('give exactly one of "text" or "documents"')
        return self


class HeadVote(BaseModel):
    head: str = Field(..., description="Head (or corpus of a shared head) that predicted it.")
    score: float = Field(..., description="That head's score for the span.")


class Entity(BaseModel):
    start: int = Field(..., description="Character offset (inclusive) into the text.")
    end: int = Field(..., description="Character offset (exclusive).")
    label: str
    text: str = Field(..., description="text[start:end]")
    score: float | None = None
    heads: list[HeadVote] = Field(
        default_factory=list, description="Provenance: every head that predicted this span."
    )


class TaggedDocument(BaseModel):
    id: str | None = None
    entities: list[Entity]


class TagResponse(BaseModel):
    """``entities`` for a ``text`` request; ``documents`` (in request order) for a batch."""

    entities: list[Entity] | None = None
    documents: list[TaggedDocument] | None = None


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    types: list[str] = []
    corpora: list[str] | dict[str, list[str]] = Field(
        default_factory=list, description="Training corpora (with their types when known)."
    )
    encoder: Any = None
    version: Any = None


class Health(BaseModel):
    status: str = "ok"
    requests: int = 0
    documents: int = 0
    batches: int = 0
    largest_batch: int = 0
    units: int = 0
    failed_requests: int = 0


__all__ = [
    "DocumentIn",
    "Entity",
    "Health",
    "ModelInfo",
    "TagRequest",
    "TagResponse",
    "TaggedDocument",
]
