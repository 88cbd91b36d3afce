"""FastAPI dependencies: settings, database session, clients, the caller, and RAG access.

Routes read as their parameters, e.g. ``def read_rag(access: RagViewer) -> RagPublic``. Access
checks are chained here once: a non-member gets 404 (the RAG's existence is not revealed), a
member whose role is too low gets 403. Helpers several route modules share live here too
(``rag_iris``, ``cycle_public``): routes never import other routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from celery import Celery
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ferag.api.openapi import raises
from ferag.api.params import RagId
from ferag.api.schemas import CyclePublic
from ferag.db.models import Document, Rag, Role, User
from ferag.errors import Forbidden, Unauthenticated
from ferag.security import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    csrf_matches,
    read_access_token,
)
from ferag.services import cycles
from ferag.services.login_limits import LoginLimits
from ferag.services.members import require_member
from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@raises(503)
def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


@raises(502, 503)
def get_store(request: Request) -> TripleStore:
    store: TripleStore = request.app.state.store
    return store


def get_celery(request: Request) -> Celery:
    celery: Celery = request.app.state.celery
    return celery


def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


def get_jwt_secret(request: Request) -> str:
    secret: str = request.app.state.jwt_secret
    return secret


def get_login_limits(request: Request) -> LoginLimits:
    limits: LoginLimits = request.app.state.login_limits
    return limits


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbDep = Annotated[Session, Depends(get_db)]
StoreDep = Annotated[TripleStore, Depends(get_store)]
RedisDep = Annotated[Redis, Depends(get_redis)]
CeleryDep = Annotated[Celery, Depends(get_celery)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]
JwtSecretDep = Annotated[str, Depends(get_jwt_secret)]
LoginLimitsDep = Annotated[LoginLimits, Depends(get_login_limits)]


def get_access_token(request: Request, secret: JwtSecretDep, bearer: TokenDep) -> str | None:
    """The bearer token; without one, the web UI's session cookie (the same access token,
    ``ferag.web``), which counts only with its CSRF token in ``X-CSRF-Token`` on a request
    that changes something: a cookie rides along on requests other sites make, a header
    cannot."""
    if bearer:
        return bearer
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    if request.method not in SAFE_METHODS and not csrf_matches(
        secret, cookie, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(
            "the session cookie came without its CSRF token; reload the page and try again",
            code="csrf_failed",
        )
    return cookie


AccessTokenDep = Annotated[str | None, Depends(get_access_token)]


@raises(401)
def get_current_user(db: DbDep, secret: JwtSecretDep, token: AccessTokenDep) -> User:
    if not token:
        raise Unauthenticated("log in and send the access token as `Authorization: Bearer …`")
    user_id = read_access_token(token, secret)
    user = db.get(User, user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("the account of this token no longer exists or is disabled")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


@dataclass(frozen=True)
class RagAccess:
    """A RAG the caller may use, with the caller's role on it."""

    rag: Rag
    role: Role
    user: User


def require_role(needed: Role) -> Callable[..., RagAccess]:
    @raises(403, 404)
    def dependency(rag_id: RagId, user: CurrentUser, db: DbDep) -> RagAccess:
        rag, role = require_member(db, rag_id, user.id, needed)
        return RagAccess(rag=rag, role=role, user=user)

    return dependency


RagViewer = Annotated[RagAccess, Depends(require_role(Role.viewer))]
RagEditor = Annotated[RagAccess, Depends(require_role(Role.editor))]
RagOwner = Annotated[RagAccess, Depends(require_role(Role.owner))]


# --- shared by several route modules ---------------------------------------------------------


def rag_iris(settings: Settings, rag_id: int) -> RagIris:
    return RagIris(str(settings.base_iri), str(rag_id))


def cycle_public(db: Session, rag_id: int, cycle_id: int) -> CyclePublic:
    """The cycle as the API shows it (404 if the RAG has no such cycle)."""
    cycle = cycles.get_cycle(db, rag_id, cycle_id)
    task = cycles.cycle_task(db, cycle)
    count = db.scalar(select(func.count()).where(Document.cycle_id == cycle.id)) or 0
    return CyclePublic.of(cycle, task.id, count)
