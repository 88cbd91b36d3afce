"""Request and response models of chat, chat sessions and API keys (named by role)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from ferag.api.schemas import RequestModel
from ferag.api.text import SingleLine
from graphrag_lib.retrieve import LinkedEntity, Reference

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
KeyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
]


class ChatRequest(RequestModel):
    question: Question
    session_id: uuid.UUID | None = Field(
        None, description="Continue this session of yours; omit to start a new one."
    )
    stream: bool = Field(False, description="Answer as server-sent events (token by token).")
    as_of: date | None = Field(
        None,
        description="Answer from the facts that held on this date (ISO `YYYY-MM-DD`), ended "
        "ones included, instead of the current ones.",
    )


class LinkedEntityPublic(BaseModel):
    iri: str
    label: str
    score: float = Field(description="Linking score; ≥ 0.5 for a link by name.")
    matched_by: str = Field(description="label/alias + exact|spelling|sound, description, history")

    @classmethod
    def of(cls, entity: LinkedEntity) -> LinkedEntityPublic:
        return cls(**asdict(entity))


class CitationPublic(BaseModel):
    number: int = Field(description="The n of [n] in the answer.")
    kind: str = Field(description="passage or report")
    iri: str = Field(description="The passage (or community report) in the graph.")
    title: str = Field(description="Document title, or the report's title.")
    document_iri: str | None = None
    path: str | None = Field(None, description="The document's path in its upload.")
    folder_path: str | None = Field(None, description="The folder part of that path.")
    order: int | None = Field(None, description="0-based position of the passage in its document.")
    excerpt: str | None = Field(None, description="The text the answer was given (None: cited).")

    @classmethod
    def of(cls, reference: Reference) -> CitationPublic:
        return cls(**asdict(reference))


class ChatAnswer(BaseModel):
    session_id: uuid.UUID
    message_id: int
    answer: str
    citations: list[CitationPublic] = Field(description="The sources the answer cites, in order.")
    entities: list[LinkedEntityPublic] = Field(description="Entities the question was linked to.")
    sparql: list[str] = Field(description="The SPARQL queries run to build the context.")
    cached: bool = Field(
        description="Answered from the answer cache: the same question was asked before on "
        'the same production version (docs/chat.md, "Answer cache").'
    )
    telemetry: dict[str, Any] = Field(
        description="Entities and passages used, timings per stage (ms), tokens, model."
    )


class ChatSessionPublic(BaseModel):
    id: uuid.UUID
    rag_id: int
    title: str
    created_at: datetime
    messages: int
    last_message_at: datetime | None


class ChatSessionsPublic(BaseModel):
    data: list[ChatSessionPublic]
    count: int


class ChatMessagePublic(BaseModel):
    id: int
    role: str
    content: str
    created_at: datetime
    citations: list[CitationPublic] = Field(default_factory=list)
    entities: list[LinkedEntityPublic] = Field(default_factory=list)
    telemetry: dict[str, Any] = Field(default_factory=dict)


class ChatSessionDetail(ChatSessionPublic):
    history: list[ChatMessagePublic] = Field(description="Every message, oldest first.")


class ApiKeyCreate(RequestModel):
    name: KeyName = Field(description="What the key is for, e.g. `open-webui`.")


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself. Shown only now: store it safely.")


class ApiKeysPublic(BaseModel):
    data: list[ApiKeyPublic]
    count: int
