"""Models of the OpenAI-compatible API (``/v1``): OpenAI's wire format
(``ferag.llm.openai_wire``, shared with the offline model stand-in) plus ferag's extensions.

Requests accept OpenAI's other fields (temperature, top_p, …) and ignore them; ferag's own
prompt and settings decide how the model is called. ``session_id`` and ``as_of`` are ferag's
extensions (``extra_body`` in the ``openai`` client; ``as_of`` also in OpenAI's ``metadata``);
so are a model's ``name`` and a completion's ``citations`` and ``ferag``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import Field, model_validator

from ferag.api.text import CleanText
from ferag.llm import openai_wire
from ferag.llm.openai_wire import CompletionChoice, CompletionUsage, OpenAIError

__all__ = [
    "ChatCompletion",
    "ChatCompletionRequest",
    "CompletionChoice",
    "CompletionUsage",
    "ModelCard",
    "ModelList",
    "OpenAIError",
]


class ChatCompletionRequest(CleanText, openai_wire.ChatCompletionRequest):
    """OpenAI's request, its text checked like every ferag request (``ferag.api.text``)."""

    model: str = Field(description="`rag-{id}` of a RAG you are a member of (see /v1/models).")
    session_id: uuid.UUID | None = Field(
        None,
        description="ferag extension: record the turn in this session of yours. Without it, "
        "the conversation is keyed by the `X-Ferag-Conversation` (or Open WebUI's "
        "`X-OpenWebUI-Chat-Id`) header, else by `user`; with none of them each request is a "
        "conversation of its own, its earlier messages its history.",
    )
    user: str | None = Field(
        None,
        max_length=256,
        description="OpenAI's caller-chosen id; ferag keeps one conversation (session) per value "
        "for you, so send a conversation id here when your client cannot set headers.",
    )
    as_of: date | None = Field(
        None,
        description="ferag extension: answer from the facts that held on this date "
        "(ISO `YYYY-MM-DD`) instead of the current ones. Also read from `metadata.as_of` "
        "when absent here.",
    )
    metadata: dict[str, str] | None = Field(
        None, description="OpenAI's request metadata; ferag reads `as_of` from it."
    )

    @model_validator(mode="after")
    def _as_of_from_metadata(self) -> ChatCompletionRequest:
        """Clients that send only OpenAI's own fields can put ``as_of`` in ``metadata``."""
        if self.as_of is None and self.metadata and (text := self.metadata.get("as_of")):
            try:
                self.as_of = date.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"metadata.as_of must be an ISO date (YYYY-MM-DD): {exc}") from exc
        return self


class ModelCard(openai_wire.ModelCard):
    owned_by: str = "ferag"
    name: str = Field(description="The RAG's name.")


class ModelList(openai_wire.ModelList):
    data: list[ModelCard]  # type: ignore[assignment]  # narrows to ferag's cards


class ChatCompletion(openai_wire.ChatCompletion):
    citations: list[dict[str, Any]] = Field(description="ferag: the cited sources.")
    ferag: dict[str, Any] = Field(
        description="ferag: session, message, entities, SPARQL, the time scope of the context "
        "(`time`) and its statements with their valid times (`relations`)."
    )
