"""The OpenAI-compatible API: ``GET /v1/models`` and ``POST /v1/chat/completions``.

One model per RAG the caller is a member of, ``rag-{id}``, so Open WebUI or the ``openai``
client can chat with a RAG. Callers authenticate with ``Authorization: Bearer`` and an API key
(or a login access token). The answer text ends with a "Sources:" list of what it cites (the
structured citations are in ``citations``). Errors here take OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, because OpenAI clients read that one.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from ferag.api.chat_deps import ChatModelDep, OpenAIUser, SessionFactoryDep, count_chat_request
from ferag.api.chat_schemas import CitationPublic, LinkedEntityPublic
from ferag.api.deps import DbDep, RedisDep, SettingsDep, StoreDep
from ferag.api.errors import LOWER_LAYER_ERRORS, api_error
from ferag.api.openai_schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    CompletionChoice,
    CompletionUsage,
    ModelCard,
    ModelList,
    OpenAIError,
)
from ferag.api.openapi import raises
from ferag.api.params import bounded_id
from ferag.db.models import Rag, User
from ferag.errors import FeragError, InvalidInput, NotFound
from ferag.logs import request_id_var
from ferag.services import chat, rags
from ferag.services.chat import PreparedTurn, StreamEvent, TurnResult
from ferag.services.members import membership
from graphrag_lib.retrieve import Turn, sources_footer, strip_sources_footer

MODEL_PREFIX = "rag-"
SESSION_NAMESPACE = uuid.UUID("7f3c2a52-4a8e-4f53-9a2e-5d1f0c6b8e11")
# Headers that name a conversation: ours, and the one Open WebUI forwards per chat.
CONVERSATION_HEADERS = ("X-Ferag-Conversation", "X-OpenWebUI-Chat-Id")
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def openai_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["X-Request-ID"] = request_id_var.get() or ""
    return response


def _ferag_error(exc: Exception) -> JSONResponse:
    error = api_error(exc)
    return openai_error(error.status_code, error.code, error.message, error.headers)


class OpenAIRoute(APIRoute):
    """Renders errors of these routes in OpenAI's shape instead of ferag's (and says so to
    ``ferag.api.openapi``: ``error_model``, validation errors as 400)."""

    error_model: ClassVar[type[BaseModel]] = OpenAIError
    validation_status: ClassVar[int] = 400

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except (FeragError, *LOWER_LAYER_ERRORS) as exc:
                return _ferag_error(exc)
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
                )
                return openai_error(400, "invalid_request", f"invalid request: {problems}")
            except StarletteHTTPException as exc:
                return openai_error(exc.status_code, f"http_{exc.status_code}", str(exc.detail))

        return route


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


def _card(rag: Rag) -> ModelCard:
    return ModelCard(
        id=f"{MODEL_PREFIX}{rag.id}", created=int(rag.created_at.timestamp()), name=rag.name
    )


def rag_of_model(db: Session, user: User, model: str) -> Rag:
    """The RAG behind model ``rag-{id}`` if the caller is a member of it."""
    rag_id = bounded_id(model.removeprefix(MODEL_PREFIX))
    found = None
    if model.startswith(MODEL_PREFIX) and rag_id is not None:
        found = membership(db, rag_id, user.id)
    if found is None:
        raise NotFound(
            f"the model `{model}` does not exist or you are not a member of its RAG; "
            "GET /v1/models lists yours",
            code="model_not_found",
        )
    return found[0]


@router.get("/models")
def list_models(user: OpenAIUser, db: DbDep) -> ModelList:
    """One model per RAG you are a member of."""
    rows, _ = rags.list_rags(db, user, 0, 10_000)
    return ModelList(data=[_card(rag) for rag, _role in rows])


@router.get("/models/{model}")
@raises(404)
def retrieve_model(model: str, user: OpenAIUser, db: DbDep) -> ModelCard:
    return _card(rag_of_model(db, user, model))


def _conversation(body: ChatCompletionRequest, turns: int) -> tuple[str, list[Turn]]:
    """The last user message, and the user/assistant messages before it (client system
    messages are ignored: ferag writes its own)."""
    spoken = [m for m in body.messages if m.role in ("user", "assistant")]
    if not spoken or spoken[-1].role != "user" or not spoken[-1].text.strip():
        raise InvalidInput("the last message must be a non-empty user message", code="no_question")
    earlier = [Turn(m.role, strip_sources_footer(m.text)) for m in spoken[:-1]]
    return spoken[-1].text.strip(), earlier[-2 * turns :] if turns else []


def _conversation_key(request: Request, body: ChatCompletionRequest) -> str | None:
    """What names the request's conversation, if anything does (docs/chat.md, "Sessions")."""
    for header in CONVERSATION_HEADERS:
        if value := request.headers.get(header, "").strip():
            return f"{header}:{value[:256]}"
    return f"user:{body.user}" if body.user else None


def _session_id(key: str | None, user: User, rag: Rag) -> uuid.UUID:
    """The caller's session of conversation ``key``; a new one when nothing names it: an OpenAI
    client sends the whole conversation with every request, and two conversations that begin
    alike are still two."""
    if key is None:
        return uuid.uuid4()
    return uuid.uuid5(SESSION_NAMESPACE, f"{user.id}:{rag.id}:{key}")


@router.post("/chat/completions", response_model=ChatCompletion)
@raises(404, 422, 429)
def create_chat_completion(
    body: ChatCompletionRequest,
    request: Request,
    user: OpenAIUser,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    redis: RedisDep,
    model: ChatModelDep,
    session_factory: SessionFactoryDep,
) -> Response:
    """Ask a RAG (model `rag-{id}`); whole or streamed (`stream: true`) like OpenAI's API."""
    rag = rag_of_model(db, user, body.model)
    count_chat_request(redis, settings, user)
    question, history = _conversation(body, settings.chat_history_turns)
    if body.session_id is not None:
        target = chat.session_target(db, rag.id, user.id, body.session_id, question)
    else:
        derived = _session_id(_conversation_key(request, body), user, rag)
        target = chat.conversation_target(db, rag.id, user.id, derived, question)
    prepared = chat.prepare_turn(db, store, settings, target, question, history, body.as_of)
    db.close()  # the model may take minutes: hold no connection meanwhile
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        events = chat.stream_turn(session_factory, model, prepared)
        chunks = _chunks(body.model, prepared, events, include_usage)
        return StreamingResponse(chunks, media_type="text/event-stream")
    result = chat.complete_turn(session_factory, model, prepared)
    return JSONResponse(_completion(body.model, result).model_dump(mode="json"))


def _citations(result: TurnResult) -> list[dict[str, Any]]:
    return [CitationPublic.of(r).model_dump() for r in result.citations]


def _extras(result: TurnResult) -> dict[str, Any]:
    return {
        "session_id": str(result.session_id),
        "message_id": result.message_id,
        "entities": [LinkedEntityPublic.of(e).model_dump() for e in result.entities],
        "sparql": result.sparql,
        "time": result.telemetry["time"],
        "relations": result.telemetry["relations_in_context"],
    }


def _usage(result: TurnResult) -> CompletionUsage:
    tokens = result.telemetry["tokens"]
    prompt, completion = int(tokens["prompt"]), int(tokens["completion"])
    return CompletionUsage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def _completion(model: str, result: TurnResult) -> ChatCompletion:
    content = result.answer + sources_footer(result.citations)
    return ChatCompletion(
        id=f"chatcmpl-ferag-{result.message_id}",
        created=int(time.time()),
        model=model,
        choices=[CompletionChoice(message={"role": "assistant", "content": content})],
        usage=_usage(result),
        citations=_citations(result),
        ferag=_extras(result),
    )


def _chunks(
    model: str, prepared: PreparedTurn, events: Iterator[StreamEvent], include_usage: bool
) -> Iterator[str]:
    """OpenAI ``chat.completion.chunk`` events, the sources footer last, then ``[DONE]``."""
    base = {
        "id": f"chatcmpl-ferag-{prepared.target.session_id.hex[:12]}-{int(time.time() * 1000)}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return f"data: {json.dumps({**base, 'choices': [choice], **extra}, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for event in events:
        if event.kind == "token":
            yield chunk({"content": event.text})
        elif event.error is not None:
            failure = api_error(event.error)
            error = {"message": failure.message, "type": "server_error", "code": failure.code}
            yield f"data: {json.dumps({'error': error})}\n\n"
            return
        elif event.result is not None:
            result = event.result
            if footer := sources_footer(result.citations):
                yield chunk({"content": footer})
            yield chunk({}, "stop", citations=_citations(result), ferag=_extras(result))
            if include_usage:
                usage = _usage(result).model_dump()
                yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"
