"""The offline model stand-in's server: a deterministic, OpenAI-compatible HTTP app.

This is a **rule-based stand-in, not a model**. It answers from the request text by plain rules
so that ferag runs end to end with no model server (``ferag up`` without ``FERAG_LLM_BASE_URL``,
and the tests). It announces itself everywhere: every response carries the header ``X-Ferag-Standin:
offline`` and every model it lists is ``owned_by: ferag-offline-standin``.

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (plain and ``stream: true`` SSE),
``POST /v1/embeddings`` and ``GET /health``. Run it with
``python -m uvicorn --factory ferag.llm.standin:create_app``.

Chat replies come from ``prompt_rules()``: ``Rule`` objects (``rules``) tried in order, the
first match answering. To recognise one of ferag's prompts (GraphRAG entity extraction,
community-report JSON, schema-induction Turtle, ...), add a rule before the generic extractive one
(``DEFAULT_RULES``), which matches everything and must stay last. Requests are parsed with
OpenAI's wire types shared with the API (``ferag.llm.openai_wire``).

Embeddings hash words and character trigrams into signed buckets and normalise the sum, so texts
that share words or word fragments get close vectors (no meaning is involved).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
import struct
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ferag.llm.openai_wire import ChatCompletionRequest, EmbeddingRequest, ModelCard, ModelList
from ferag.llm.standin.chat import CHAT_RULES
from ferag.llm.standin.facts import FACT_RULES
from ferag.llm.standin.graphrag import GRAPHRAG_RULES
from ferag.llm.standin.resolution import RESOLUTION_RULES
from ferag.llm.standin.rules import DEFAULT_RULES, Rule
from ferag.llm.standin.schema import SCHEMA_RULES

logger = logging.getLogger(__name__)

CHAT_MODEL = "ferag-standin-chat"
EMBEDDING_MODEL = "ferag-standin-embed"
OWNER = "ferag-offline-standin"
STANDIN_HEADER = "X-Ferag-Standin"
RULE_HEADER = "X-Ferag-Standin-Rule"
DEFAULT_EMBEDDING_DIM = 384
CREATED = 1_700_000_000  # a fixed timestamp keeps whole responses reproducible


# --- errors ----------------------------------------------------------------------------------


class StandinError(Exception):
    """An error answered in OpenAI's shape: ``{"error": {"message", "type", "code"}}``."""

    def __init__(
        self, status: int, code: str, message: str, kind: str = "invalid_request_error"
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.kind = status, code, message, kind


def _error_response(status: int, code: str, message: str, kind: str) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "code": code, "param": None}}
    return JSONResponse(body, status_code=status)


def require_model(model: str, expected: str) -> None:
    if model != expected:
        raise StandinError(
            404,
            "model_not_found",
            f"The model `{model}` does not exist on the offline stand-in; use `{expected}`.",
        )


def answer(request: ChatCompletionRequest, rules: Sequence[Rule]) -> tuple[Rule, str]:
    """The first rule matching ``request`` and its reply."""
    for rule in rules:
        if rule.matches(request):
            return rule, rule.respond(request)
    raise StandinError(500, "no_rule", "No stand-in rule matched; the generic rule must be last.")


def count_tokens(text: str) -> int:
    """Whitespace-separated words: the stand-in's notion of a token."""
    return len(text.split())


def truncate(reply: str, limit: int | None) -> tuple[str, str]:
    """The reply cut to ``limit`` tokens, and OpenAI's ``finish_reason`` for it."""
    words = reply.split()
    if limit is None or len(words) <= limit:
        return reply, "stop"
    return " ".join(words[:limit]), "length"


# --- chat responses ----------------------------------------------------------------------------


def _completion_id(request: ChatCompletionRequest) -> str:
    digest = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    return f"chatcmpl-standin-{digest[:24]}"


def _usage(request: ChatCompletionRequest, reply: str) -> dict[str, int]:
    prompt = sum(count_tokens(message.text) for message in request.messages)
    completion = count_tokens(reply)
    total = prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def completion_body(request: ChatCompletionRequest, reply: str, finish: str) -> dict[str, Any]:
    return {
        "id": _completion_id(request),
        "object": "chat.completion",
        "created": CREATED,
        "model": request.model,
        "system_fingerprint": OWNER,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": _usage(request, reply),
    }


def _pieces(reply: str, words_per_piece: int = 4) -> Iterator[str]:
    words = re.findall(r"\S+\s*", reply)
    for start in range(0, len(words), words_per_piece):
        yield "".join(words[start : start + words_per_piece])


def stream_events(request: ChatCompletionRequest, reply: str, finish: str) -> Iterator[str]:
    """The reply as OpenAI ``chat.completion.chunk`` SSE events, ending with ``data: [DONE]``."""
    base = {
        "id": _completion_id(request),
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": request.model,
        "system_fingerprint": OWNER,
    }

    def event(delta: dict[str, Any], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return f"data: {json.dumps({**base, 'choices': [choice]})}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(reply):
        yield event({"content": piece})
    yield event({}, finish)
    if request.stream_options and request.stream_options.include_usage:
        yield f"data: {json.dumps({**base, 'choices': [], 'usage': _usage(request, reply)})}\n\n"
    yield "data: [DONE]\n\n"


async def _aiter(events: Iterator[str]) -> AsyncIterator[str]:
    for item in events:
        yield item


# --- embeddings --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
WORD_WEIGHT = 1.0
TRIGRAM_WEIGHT = 0.5


def _features(text: str) -> Iterator[tuple[str, float]]:
    for word in _WORD.findall(text.casefold()):
        yield f"w:{word}", WORD_WEIGHT
        padded = f"#{word}#"
        for start in range(len(padded) - 2):
            yield f"c:{padded[start : start + 3]}", TRIGRAM_WEIGHT


@lru_cache(maxsize=200_000)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return value % dim, 1.0 if (value >> 63) & 1 else -1.0


def embed_text(text: str, dim: int = DEFAULT_EMBEDDING_DIM) -> list[float]:
    """A deterministic unit vector of ``dim`` floats for ``text`` (hashed word/trigram counts)."""
    vector = [0.0] * dim
    for feature, weight in _features(text):
        index, sign = _bucket(feature, dim)
        vector[index] += sign * weight
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0.0:  # no word characters at all: a fixed unit vector
        vector[0] = 1.0
        return vector
    return [value / norm for value in vector]


def _encode(vector: list[float], encoding: str) -> list[float] | str:
    if encoding == "float":
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def embeddings_body(request: EmbeddingRequest, default_dim: int) -> dict[str, Any]:
    dim = request.dimensions or default_dim
    data = [
        {
            "object": "embedding",
            "index": index,
            "embedding": _encode(embed_text(text, dim), request.encoding_format),
        }
        for index, text in enumerate(request.texts)
    ]
    tokens = sum(count_tokens(text) for text in request.texts)
    return {
        "object": "list",
        "data": data,
        "model": request.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


# --- the app ------------------------------------------------------------------------------------


class StandinHeaderMiddleware:
    """Add ``X-Ferag-Standin: offline`` to every HTTP response, streamed ones included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(STANDIN_HEADER, "offline")
            await send(message)

        await self.app(scope, receive, send_marked)


def _model_card(model: str) -> ModelCard:
    return ModelCard(id=model, created=CREATED, owned_by=OWNER)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StandinError)
    async def standin_error(_request: Request, exc: StandinError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message, exc.kind)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return _error_response(400, "invalid_request", problems, "invalid_request_error")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return _error_response(exc.status_code, code, str(exc.detail), "invalid_request_error")


def prompt_rules() -> tuple[Rule, ...]:
    """Every rule the stand-in knows: ferag's own prompts first, the generic one last."""
    return (
        *GRAPHRAG_RULES, *SCHEMA_RULES, *RESOLUTION_RULES, *FACT_RULES, *CHAT_RULES,
        *DEFAULT_RULES,
    )  # fmt: skip


def create_app(embedding_dim: int | None = None, rules: Sequence[Rule] | None = None) -> FastAPI:
    """The stand-in as an ASGI app; ``embedding_dim`` defaults to ``FERAG_EMBEDDING_DIM`` and
    ``rules`` to ``prompt_rules()``."""
    rules = prompt_rules() if rules is None else rules
    if embedding_dim is None:
        from ferag.settings import get_settings

        embedding_dim = get_settings().embedding_dim
    dim = embedding_dim
    app = FastAPI(
        title="ferag offline model stand-in (rule-based, not a model)",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(StandinHeaderMiddleware)
    _install_error_handlers(app)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "standin": True, "models": [CHAT_MODEL, EMBEDDING_MODEL]}

    @app.get("/v1/models")
    def list_models() -> ModelList:
        return ModelList(data=[_model_card(CHAT_MODEL), _model_card(EMBEDDING_MODEL)])

    @app.get("/v1/models/{model}")
    def retrieve_model(model: str) -> ModelCard:
        if model not in (CHAT_MODEL, EMBEDDING_MODEL):
            require_model(model, CHAT_MODEL)
        return _model_card(model)

    @app.post("/v1/chat/completions", response_model=None)
    def create_chat_completion(body: ChatCompletionRequest) -> JSONResponse | StreamingResponse:
        require_model(body.model, CHAT_MODEL)
        rule, full_reply = answer(body, rules)
        reply, finish = truncate(full_reply, body.token_limit)
        logger.debug("chat answered by rule %s (%d tokens)", rule.name, count_tokens(reply))
        headers = {RULE_HEADER: rule.name}
        if body.stream:
            events = _aiter(stream_events(body, reply, finish))
            return StreamingResponse(events, media_type="text/event-stream", headers=headers)
        return JSONResponse(completion_body(body, reply, finish), headers=headers)

    @app.post("/v1/embeddings")
    def create_embeddings(body: EmbeddingRequest) -> dict[str, Any]:
        require_model(body.model, EMBEDDING_MODEL)
        return embeddings_body(body, dim)

    return app
