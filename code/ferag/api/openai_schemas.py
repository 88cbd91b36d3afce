"""Models of the OpenAI-compatible API (``/v1``): OpenAI's wire format
(``ferag.llm.openai_wire``, shared with the offline model stand-in) plus ferag's extensions.

Requests accept OpenAI's sampling fields (temperature, top_p, …) and ignore them: ferag's own
prompt and settings decide how the model is called. Fields that would change what kind of
answer comes back are refused with 400 instead (``refuse_unsupported``): ``n`` other than 1,
``tools``/``functions``, a JSON ``response_format``, and for completions ``suffix``,
``best_of`` and ``logprobs``. ``session_id``, ``as_of`` and ``debug`` are ferag's extensions
(``extra_body`` in the ``openai`` client; ``as_of`` also in OpenAI's ``metadata``); so are a
model's ``name`` and a completion's ``citations``, ``sources`` and ``ferag``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ferag.api.text import CleanText
from ferag.errors import BadRequest
from ferag.llm import openai_wire
from ferag.llm.openai_wire import CompletionChoice, CompletionUsage, OpenAIError, StreamOptions

__all__ = [
    "ChatCompletion",
    "ChatCompletionRequest",
    "CompletionChoice",
    "CompletionRequest",
    "CompletionUsage",
    "EmbeddingRequest",
    "ModelCard",
    "ModelList",
    "OpenAIError",
    "TextChoice",
    "TextCompletion",
]

MAX_PROMPTS = 20  # a completions request's list of prompts (LangChain batches up to 20)


def _refuse(field: str, why: str) -> BadRequest:
    return BadRequest(f"`{field}` is not supported: {why}", code="unsupported_parameter")


class FeragExtensions(BaseModel):
    """ferag's extension fields, shared by chat completions and completions."""

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
    debug: bool = Field(
        False,
        description="ferag extension (also `?debug=true`): add the context to `ferag` "
        "(linked entities, statements, references, SPARQL, timings).",
    )
    n: int = Field(1, description="Answers per question: ferag gives one (other values: 400).")

    @model_validator(mode="after")
    def _as_of_from_metadata(self) -> FeragExtensions:
        """Clients that send only OpenAI's own fields can put ``as_of`` in ``metadata``."""
        if self.as_of is None and self.metadata and (text := self.metadata.get("as_of")):
            try:
                self.as_of = date.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"metadata.as_of must be an ISO date (YYYY-MM-DD): {exc}") from exc
        return self

    def refuse_unsupported(self) -> None:
        """``BadRequest`` for a field that asks for another kind of answer than ferag gives,
        so a client learns it at once instead of getting something it did not ask for."""
        if self.n != 1:
            raise _refuse("n", "ferag gives one answer per question; send n=1 or leave it out")


class ChatCompletionRequest(CleanText, FeragExtensions, openai_wire.ChatCompletionRequest):
    """OpenAI's request, its text checked like every ferag request (``ferag.api.text``)."""

    model: str = Field(description="`rag-{id}` of a RAG you are a member of (see /v1/models).")
    tools: list[dict[str, Any]] | None = Field(
        None, description="Refused (400) when not empty: ferag's answers call no tools."
    )
    functions: list[dict[str, Any]] | None = Field(
        None, description="Refused (400) when not empty, like `tools`."
    )

    def refuse_unsupported(self) -> None:
        super().refuse_unsupported()
        for field in ("tools", "functions"):
            if getattr(self, field):
                raise _refuse(
                    field, "ferag answers from its knowledge graph and calls no tools; leave it out"
                )
        kind = (self.response_format or {}).get("type", "text")
        if kind != "text":
            raise _refuse(
                "response_format",
                f"ferag answers in text with citations, not `{kind}`; "
                'send {"type": "text"} or leave it out',
            )


class ModelCard(openai_wire.ModelCard):
    owned_by: str = "ferag"
    name: str = Field(description="The RAG's name.")


class ModelList(openai_wire.ModelList):
    data: list[ModelCard]  # type: ignore[assignment]  # narrows to ferag's cards


FERAG_EXTRAS = (
    "ferag: the session and message of the turn and the time scope of its context (`time`); "
    "with `debug`, the context too: linked `entities`, `relations` (statements with their valid "
    "times), `references`, `sparql`, `timings_ms`, `tokens`."
)


class ChatCompletion(openai_wire.ChatCompletion):
    citations: list[dict[str, Any]] = Field(description="ferag: the cited sources.")
    sources: list[dict[str, Any]] = Field(
        description="ferag: the references `[1]…[n]` in Open WebUI's source shape "
        "(`source`, `document`, `metadata`), position i for `[i+1]`."
    )
    ferag: dict[str, Any] = Field(description=FERAG_EXTRAS)


class CompletionRequest(CleanText, FeragExtensions):
    """OpenAI's (legacy) completions request: each prompt is a question to the RAG."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="`rag-{id}` of a RAG you are a member of (see /v1/models).")
    prompt: str | list[str] = Field(
        description=f"A question, or up to {MAX_PROMPTS} questions (one choice each)."
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, gt=0, description="Accepted; ferag's settings decide.")
    echo: bool = Field(False, description="Start each choice's text with its prompt.")
    suffix: str | None = Field(None, description="Refused (400) when not empty.")
    best_of: int | None = Field(None, description="Refused (400) above 1.")
    logprobs: int | None = Field(None, description="Refused (400): ferag reports none.")

    @property
    def prompts(self) -> list[str]:
        return [self.prompt] if isinstance(self.prompt, str) else self.prompt

    def refuse_unsupported(self) -> None:
        super().refuse_unsupported()
        if not self.prompts or len(self.prompts) > MAX_PROMPTS:
            raise BadRequest(
                f"`prompt` must hold 1 to {MAX_PROMPTS} questions", code="invalid_request"
            )
        if self.stream and len(self.prompts) > 1:
            raise _refuse("stream", "a streamed completion answers one prompt; send one")
        if self.suffix:
            raise _refuse("suffix", "ferag answers questions and inserts no text; leave it out")
        if self.best_of not in (None, 1):
            raise _refuse("best_of", "ferag gives one answer per question")
        if self.logprobs is not None:
            raise _refuse("logprobs", "ferag's answers carry no token probabilities")


class TextChoice(BaseModel):
    index: int
    text: str
    finish_reason: str = "stop"
    logprobs: None = None


class TextCompletion(BaseModel):
    id: str
    object: str = "text_completion"
    created: int
    model: str
    choices: list[TextChoice]
    usage: CompletionUsage
    citations: list[list[dict[str, Any]]] = Field(
        description="ferag: the cited sources of each choice."
    )
    ferag: list[dict[str, Any]] = Field(description=f"Per choice: {FERAG_EXTRAS}")


class EmbeddingRequest(CleanText, openai_wire.EmbeddingRequest):
    model: str = Field(
        description="`rag-{id}` of a RAG you are a member of, or the name of the configured "
        "embedding model (FERAG_EMBEDDING_MODEL); both embed with that model."
    )
    input: str | list[str] = Field(
        description="A text or a list of texts (not token arrays: send text)."
    )
