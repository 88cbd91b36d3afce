"""Chat over a RAG's approved graph, chat sessions, and the caller's API keys.

``POST /rags/{id}/chat`` answers whole (JSON) or, with ``stream: true``, as server-sent events:
``context`` (session, entities, references, time scope), ``token`` … (answer text), then
``done`` (the whole ``ChatAnswer``) or ``error``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from ferag.api.chat_deps import AnswerCacheDep, ChatAccess, ChatModelDep, SessionFactoryDep
from ferag.api.chat_schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPublic,
    ChatAnswer,
    ChatMessagePublic,
    ChatRequest,
    ChatSessionDetail,
    ChatSessionPublic,
    ChatSessionsPublic,
    CitationPublic,
    LinkedEntityPublic,
)
from ferag.api.deps import CurrentUser, DbDep, RagViewer, SettingsDep, StoreDep
from ferag.api.errors import api_error
from ferag.api.openapi import raises
from ferag.api.params import KeyId, Offset
from ferag.db.models import ApiKey, ChatMessage, ChatSession
from ferag.services import api_keys, chat, chat_sessions
from ferag.services.chat import PreparedTurn, StreamEvent, TurnResult

router = APIRouter(prefix="/rags/{rag_id}", tags=["chat"])
keys_router = APIRouter(prefix="/auth/api-keys", tags=["api keys"])

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream=true"}
}


def answer_public(result: TurnResult) -> ChatAnswer:
    return ChatAnswer(
        session_id=result.session_id,
        message_id=result.message_id,
        answer=result.answer,
        citations=[CitationPublic.of(r) for r in result.citations],
        entities=[LinkedEntityPublic.of(e) for e in result.entities],
        sparql=result.sparql,
        cached=result.cached,
        telemetry=result.telemetry,
    )


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _chat_events(prepared: PreparedTurn, events: Iterator[StreamEvent]) -> Iterator[str]:
    yield sse(
        "context",
        {
            "session_id": str(prepared.target.session_id),
            "entities": [LinkedEntityPublic.of(e).model_dump() for e in prepared.linked],
            "references": [CitationPublic.of(r).model_dump() for r in prepared.context.references],
            "time": prepared.context.time.describe(),
        },
    )
    for event in events:
        if event.kind == "token":
            yield sse("token", {"text": event.text})
        elif event.error is not None:
            failure = api_error(event.error)
            yield sse("error", {"error": {"code": failure.code, "message": failure.message}})
        elif event.result is not None:
            yield sse("done", answer_public(event.result).model_dump(mode="json"))


@router.post("/chat", response_model=ChatAnswer, responses=SSE_RESPONSE)
@raises(404)
def ask_question(
    body: ChatRequest,
    access: ChatAccess,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    model: ChatModelDep,
    session_factory: SessionFactoryDep,
    cache: AnswerCacheDep,
) -> ChatAnswer | StreamingResponse:
    """Answer a question from the RAG's approved graph, citing its sources."""
    target = chat.session_target(db, access.rag.id, access.user.id, body.session_id, body.question)
    prepared = chat.start_turn(db, store, settings, target, body.question, body.as_of, cache)
    db.close()  # the model may take minutes: hold no connection meanwhile
    if not body.stream:
        return answer_public(chat.complete_turn(session_factory, model, prepared))
    events = chat.stream_turn(session_factory, model, prepared)
    return StreamingResponse(
        _chat_events(prepared, events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _session_public(summary: chat_sessions.SessionSummary) -> ChatSessionPublic:
    session = summary.session
    return ChatSessionPublic(
        id=session.id,
        rag_id=session.rag_id,
        title=session.title,
        created_at=session.created_at,
        messages=summary.messages,
        last_message_at=summary.last_message_at,
    )


def _message_public(message: ChatMessage) -> ChatMessagePublic:
    data = message.data or {}
    cited = set(data.get("citations", []))
    return ChatMessagePublic(
        id=message.id,
        role=message.role,
        content=message.content,
        created_at=message.created_at,
        citations=[CitationPublic(**r) for r in data.get("references", []) if r["number"] in cited],
        entities=[LinkedEntityPublic(**e) for e in data.get("entities", [])],
        telemetry=data,
    )


@router.get("/chat/sessions")
def list_chat_sessions(
    access: RagViewer,
    db: DbDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ChatSessionsPublic:
    """Your chat sessions in this RAG, most recently active first."""
    rows, total = chat_sessions.list_sessions(db, access.rag.id, access.user.id, offset, limit)
    return ChatSessionsPublic(data=[_session_public(s) for s in rows], count=total)


@router.get("/chat/sessions/{session_id}")
@raises(404)
def read_chat_session(session_id: uuid.UUID, access: RagViewer, db: DbDep) -> ChatSessionDetail:
    """One of your sessions with its whole history (citations and telemetry included)."""
    session = chat_sessions.get_session(db, access.rag.id, access.user.id, session_id)
    messages = chat_sessions.messages_of(db, session.id)
    summary = chat_sessions.SessionSummary(
        session, len(messages), messages[-1].created_at if messages else None
    )
    return ChatSessionDetail(
        **_session_public(summary).model_dump(), history=[_message_public(m) for m in messages]
    )


@router.delete("/chat/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
@raises(404)
def delete_chat_session(session_id: uuid.UUID, access: RagViewer, db: DbDep) -> Response:
    """Delete one of your sessions and its messages."""
    session: ChatSession = chat_sessions.get_session(db, access.rag.id, access.user.id, session_id)
    chat_sessions.delete_session(db, session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- API keys ------------------------------------------------------------------------------------


def _key_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@keys_router.post("", status_code=status.HTTP_201_CREATED)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, db: DbDep) -> ApiKeyCreated:
    """A new API key for the OpenAI-compatible API; the key is shown only in this answer."""
    row, key = api_keys.create_key(db, user, body.name)
    return ApiKeyCreated(**_key_public(row).model_dump(), key=key)


@keys_router.get("")
def list_api_keys(user: CurrentUser, db: DbDep) -> ApiKeysPublic:
    """Your API keys, revoked ones included (never the keys themselves)."""
    rows = api_keys.list_keys(db, user)
    return ApiKeysPublic(data=[_key_public(k) for k in rows], count=len(rows))


@keys_router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
@raises(404)
def revoke_api_key(key_id: KeyId, user: CurrentUser, db: DbDep) -> Response:
    """Revoke one of your API keys; it is refused from now on."""
    api_keys.revoke_key(db, user, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
