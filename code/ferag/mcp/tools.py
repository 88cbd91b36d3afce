"""The MCP tools' work, synchronous (the server runs it off the event loop): who the caller is,
then one service call each. Every RAG a tool names goes through ``require_member``: a RAG the
caller is not a member of is "not found", never revealed.

Errors are ``FeragError``s and the lower layers' errors, as in the API; ``ferag.mcp.server``
turns them into tool errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from ferag.api.schemas import EntityFound
from ferag.db.models import Rag, Role, User
from ferag.errors import InvalidInput, NotFound, Unauthenticated
from ferag.llm.chat_model import AnswerModel
from ferag.mcp.schemas import (
    Answer,
    EntitiesFound,
    EntityDetail,
    RagList,
    RagSummary,
    SparqlResult,
)
from ferag.services import api_keys, chat, rags, rate_limit
from ferag.services.answer_cache import AnswerCache
from ferag.services.entity_facts import read_entity_facts
from ferag.services.entity_index import first_entities, search_entities
from ferag.services.members import require_member
from ferag.services.sparql_endpoint import run_query
from ferag.settings import Settings
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace

MAX_RAGS = 200
ENTITY_FACTS = 50
ENTITY_SOURCES = 10
# Both forms' default formats: JSON results for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE.
SPARQL_ACCEPT = "application/sparql-results+json, text/turtle"


@dataclass(frozen=True)
class McpRuntime:
    """The long-lived clients the tools use (the API's, or the stdio process's own)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    store: TripleStore
    redis: Redis
    chat_model: AnswerModel
    answer_cache: AnswerCache | None

    def space(self, rag_id: int) -> RagSpace:
        return RagSpace.of(self.store, str(self.settings.base_iri), rag_id)


@dataclass(frozen=True)
class Call:
    """One tool call: the database session, and the caller a valid API key names."""

    db: Session
    user: User

    def rag(self, rag_id: int, needed: Role = Role.viewer) -> Rag:
        rag, _ = require_member(self.db, rag_id, self.user.id, needed)
        return rag


@contextmanager
def call_of(runtime: McpRuntime, key: str | None) -> Iterator[Call]:
    """A database session and the key's user (``Unauthenticated`` without a valid key). The
    key is checked on every call, so a revoked key stops working at once."""
    with runtime.session_factory() as db:
        if not key or not api_keys.is_api_key(key):
            raise Unauthenticated(
                "send a ferag API key (frg_…); create one with POST /auth/api-keys",
                code="invalid_api_key",
            )
        yield Call(db, api_keys.authenticate(db, key))


def list_rags(runtime: McpRuntime, key: str | None) -> RagList:
    with call_of(runtime, key) as call:
        rows, total = rags.list_rags(call.db, call.user, 0, MAX_RAGS)
        return RagList(rags=[RagSummary.of(rag, role) for rag, role in rows], total=total)


def find_entities(
    runtime: McpRuntime, key: str | None, rag_id: int, query: str, limit: int
) -> EntitiesFound:
    with call_of(runtime, key) as call:
        rag = call.rag(rag_id)
        hits = search_entities(call.db, rag.id, query, limit)
        return EntitiesFound(entities=[EntityFound.of(hit) for hit in hits])


def entity_prefix(runtime: McpRuntime, rag_id: int) -> str:
    return f"{runtime.space(rag_id).iris.prefix}entity/"


def entity_iri(runtime: McpRuntime, rag_id: int, key: str) -> str:
    """The IRI of the RAG's entity ``key``; ``InvalidInput`` when ``key`` cannot be one."""
    try:
        return str(runtime.space(rag_id).iris.entity(key))
    except ValueError as exc:
        raise InvalidInput(
            f"{key!r} is not an entity key; keys are letters, digits and -_.~ "
            "(search_entities finds entities)",
            code="not_an_entity_key",
        ) from exc


def checked_iri(runtime: McpRuntime, rag_id: int, iri: str) -> str:
    """``iri`` if it can name an entity of the RAG; ``InvalidInput`` saying what one looks
    like otherwise (so nothing else reaches a query)."""
    prefix = entity_prefix(runtime, rag_id)
    if not iri.startswith(prefix):
        raise InvalidInput(
            f"{iri!r} is not an entity IRI of RAG {rag_id}; they start with {prefix} "
            "(search_entities finds them)",
            code="not_an_entity_iri",
        )
    return entity_iri(runtime, rag_id, iri.removeprefix(prefix))


def read_entity(runtime: McpRuntime, key: str | None, rag_id: int, iri: str) -> EntityDetail:
    with call_of(runtime, key) as call:
        rag = call.rag(rag_id)
        call.db.close()  # the store may be slow: hold no connection meanwhile
        space = runtime.space(rag.id)
        found = read_entity_facts(
            space, checked_iri(runtime, rag.id, iri), ENTITY_FACTS, ENTITY_SOURCES
        )
        if found is None:
            raise NotFound(
                f"RAG {rag_id}'s production has no entity {iri}", code="entity_not_found"
            )
        return EntityDetail.of(found)


def ask(
    runtime: McpRuntime,
    key: str | None,
    rag_id: int,
    question: str,
    session_id: uuid.UUID | None,
    as_of: date | None,
) -> Answer:
    """A chat turn as ``POST /rags/{id}/chat`` answers it, within the same rate limit and
    recorded in the caller's chat sessions."""
    settings = runtime.settings
    with call_of(runtime, key) as call:
        rag = call.rag(rag_id)
        rate_limit.hit(
            runtime.redis, "chat", call.user.id, settings.chat_rate_limit,
            settings.chat_rate_window_s,
        )  # fmt: skip
        target = chat.session_target(call.db, rag.id, call.user.id, session_id, question)
        prepared = chat.start_turn(
            call.db, runtime.store, settings, target, question, as_of, runtime.answer_cache
        )
        call.db.close()  # the model may take minutes: hold no connection meanwhile
    result = chat.complete_turn(runtime.session_factory, runtime.chat_model, prepared)
    return Answer.of(result)


def sparql_query(runtime: McpRuntime, key: str | None, rag_id: int, query: str) -> SparqlResult:
    with call_of(runtime, key) as call:
        rag = call.rag(rag_id)
        call.db.close()
        result = run_query(runtime.store, runtime.settings, rag.id, query, SPARQL_ACCEPT)
        return SparqlResult(content_type=result.content_type, result=result.body.decode())


@dataclass(frozen=True)
class EntityEntry:
    rag_id: int
    key: str
    label: str


def list_entity_entries(runtime: McpRuntime, key: str | None, limit: int) -> list[EntityEntry]:
    """Up to ``limit`` entities across the caller's RAGs (a browsing aid: search finds the
    rest)."""
    entries: list[EntityEntry] = []
    with call_of(runtime, key) as call:
        rows, _ = rags.list_rags(call.db, call.user, 0, MAX_RAGS)
        for rag, _role in rows:
            prefix = entity_prefix(runtime, rag.id)
            for iri, label in first_entities(call.db, rag.id, limit - len(entries)):
                entries.append(EntityEntry(rag.id, iri.removeprefix(prefix), label))
            if len(entries) >= limit:
                break
    return entries
