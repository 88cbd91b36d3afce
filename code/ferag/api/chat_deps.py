"""Dependencies of the chat and OpenAI-compatible routes: the chat model, the embedding model,
the session factory for streamed turns, the chat rate limit, and the caller of ``/v1`` (API key
or access token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from ferag.api.deps import (
    DbDep,
    JwtSecretDep,
    RagAccess,
    RagViewer,
    RedisDep,
    SettingsDep,
    get_current_user,
)
from ferag.api.openapi import raises
from ferag.db.models import User
from ferag.errors import Unauthenticated
from ferag.llm.chat_model import AnswerModel
from ferag.llm.embeddings import Embedder
from ferag.services import api_keys, rate_limit
from ferag.services.answer_cache import AnswerCache
from ferag.settings import Settings

bearer = HTTPBearer(auto_error=False, description="An API key (frg_…) or an access token.")


@raises(502, 503)
def get_chat_model(request: Request) -> AnswerModel:
    model: AnswerModel = request.app.state.chat_model
    return model


@raises(502, 503)
def get_embedder(request: Request) -> Embedder:
    embedder: Embedder = request.app.state.embedder
    return embedder


def get_answer_cache(request: Request) -> AnswerCache | None:
    cache: AnswerCache | None = request.app.state.answer_cache
    return cache


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


ChatModelDep = Annotated[AnswerModel, Depends(get_chat_model)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
AnswerCacheDep = Annotated[AnswerCache | None, Depends(get_answer_cache)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def count_chat_request(redis: RedisDep, settings: Settings, user: User) -> None:
    """One chat question of ``user`` against the limit; ``RateLimited`` beyond it."""
    rate_limit.hit(redis, "chat", user.id, settings.chat_rate_limit, settings.chat_rate_window_s)


@raises(429)
def chat_access(access: RagViewer, redis: RedisDep, settings: SettingsDep) -> RagAccess:
    """A member of the RAG within the chat rate limit (``RateLimited``, 429 with Retry-After,
    beyond it)."""
    count_chat_request(redis, settings, access.user)
    return access


ChatAccess = Annotated[RagAccess, Depends(chat_access)]


@raises(401)
def get_openai_user(
    db: DbDep,
    secret: JwtSecretDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The caller of the OpenAI-compatible API: ``Authorization: Bearer`` with an API key, or
    with a login access token (the web UI)."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(
            "send an API key as `Authorization: Bearer frg_…`; create one with POST /auth/api-keys",
            code="invalid_api_key",
        )
    token = credentials.credentials
    if api_keys.is_api_key(token):
        return api_keys.authenticate(db, token)
    return get_current_user(db, secret, token)


OpenAIUser = Annotated[User, Depends(get_openai_user)]
