"""Chat turns over a RAG's approved (production) graph.

```
question (+ as_of) ─► link_entities (PostgreSQL index) ─► time_scope
         ─► retrieve_context (SPARQL on prod: current statements, or those of a date or the past)
         ─► build_messages (+ recent turns) ─► chat model, whole or streamed
         ─► citations ─► user + assistant messages, telemetry in the assistant's ``data``
```

A question that links nothing and is not broad gets the "don't know" answer without a model
call, so nothing is invented. An identical question on the same production version is answered
from the answer cache (``ferag.services.answer_cache``), before linking, and marked ``cached``.
Each turn records the entities and passages used, the SPARQL run, per-stage timings and token
counts. Preparing a turn only reads the database; the turn (and a new session) is written once
the answer is complete, with a database session of its own, so no connection is held while a
slow model writes. A store or model failure propagates as
the store's or the model's error (``StoreError``, ``LlmError``) for the API to translate; a
streamed turn reports a model failure as an ``error`` event carrying it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ferag import metrics
from ferag.db.models import ChatSession
from ferag.llm.chat_model import AnswerModel
from ferag.services import chat_sessions
from ferag.services.answer_cache import AnswerCache, CachedAnswer, CacheSlot
from ferag.services.cycles import current_version
from ferag.services.entity_index import link_analysed, store_runner
from ferag.settings import Settings
from ferag.store.client import TripleStore, store_errors
from ferag.store.space import RagSpace
from graphrag_lib.llm import LlmError, Reply, ReplyStream, Usage
from graphrag_lib.retrieve import (
    LinkedEntity,
    LinkingConfig,
    QueryAnalysis,
    Reference,
    RelationFact,
    RetrievalConfig,
    RetrievedContext,
    Turn,
    analyse_question,
    build_messages,
    dont_know,
    estimate_tokens,
    resolve_citations,
    retrieve_context,
    time_scope,
)

logger = logging.getLogger(__name__)

HISTORY_LINK_FACTOR = 0.8  # entities carried over from an earlier question rank lower


@dataclass(frozen=True)
class SessionTarget:
    """Where a turn is recorded: an existing session of the caller, or a new one (created with
    ``new_title`` when the turn is recorded)."""

    session_id: uuid.UUID
    rag_id: int
    user_id: int
    new_title: str | None = None


@dataclass
class PreparedTurn:
    """A question with its context and prompt, ready for the model."""

    target: SessionTarget
    question: str
    linked: list[LinkedEntity]
    context: RetrievedContext
    messages: list[dict[str, str]]
    timings_ms: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    production_version: int = 0  # the version of production the context was read from
    cached: CachedAnswer | None = None  # the answer, when the cache had it
    slot: CacheSlot | None = None  # where the answer goes once recorded


@dataclass(frozen=True)
class TurnResult:
    session_id: uuid.UUID
    message_id: int
    answer: str
    citations: list[Reference]
    entities: list[LinkedEntity]
    sparql: list[str]
    telemetry: dict[str, Any]

    @property
    def cached(self) -> bool:
        """Answered from the answer cache."""
        return bool(self.telemetry["cached"])


@dataclass(frozen=True)
class StreamEvent:
    """``token`` (a piece of the answer), then ``done`` (the recorded turn) or ``error`` (the
    model's failure, for the API to render as it renders every error)."""

    kind: str
    text: str = ""
    result: TurnResult | None = None
    error: LlmError | None = None


def _elapsed_ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def _link(
    db: Session, rag_id: int, analysis: QueryAnalysis, history: list[Turn], settings: Settings
) -> list[LinkedEntity]:
    """The entities a turn is about (docs/chat.md, "Follow-up questions"): the conversation's
    subject is followed through its earlier questions, then the new one resolves against it."""
    config = LinkingConfig(max_entities=settings.chat_max_entities)
    subject: list[LinkedEntity] = []
    for turn in history:
        if turn.role == "user":
            subject = _resolve(db, rag_id, analyse_question(turn.content), subject, config)
    return _resolve(db, rag_id, analysis, subject, config)


def _resolve(
    db: Session,
    rag_id: int,
    analysis: QueryAnalysis,
    subject: list[LinkedEntity],
    config: LinkingConfig,
) -> list[LinkedEntity]:
    """The entities the question names; else the conversation's ``subject`` when the question
    points back at it ("Where did she study?") or links nothing at all ("And in 2020?"). A word
    that merely resembles some entity's description ("study" ~ "studies") links by description
    only, and does not take the subject away from a question that points back."""
    linked = link_analysed(db, rag_id, analysis, config)
    named = any(e.matched_by != "description" for e in linked)
    if named or not subject or (linked and not analysis.refers_back):
        return linked
    return [
        e if e.matched_by == "history"
        else replace(e, score=round(e.score * HISTORY_LINK_FACTOR, 4), matched_by="history")
        for e in subject
    ]  # fmt: skip


def prepare_turn(
    db: Session,
    store: TripleStore,
    settings: Settings,
    target: SessionTarget,
    question: str,
    history: list[Turn],
    as_of: date | None = None,
    cache: AnswerCache | None = None,
) -> PreparedTurn:
    """Link, retrieve and build the prompt (reads only), unless ``cache`` has the answer; times
    each stage. The context holds the current statements, or those valid on ``as_of`` (or in
    the past the question asks about: ``graphrag_lib.retrieve.time``)."""
    rag_id = target.rag_id
    started = time.perf_counter()
    version = current_version(db, rag_id)
    slot = cache.slot(rag_id, version, question, history, as_of) if cache else None
    hit = slot.get() if slot else None
    looked_up = time.perf_counter()
    timings = {"cache": round((looked_up - started) * 1000, 2)} if slot else {}
    if hit is not None:
        return PreparedTurn(
            target, question, hit.linked, hit.context, [], timings, started, version, cached=hit
        )
    analysis = analyse_question(question)
    linked = _link(db, rag_id, analysis, history, settings)
    linked_at = time.perf_counter()
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    config = RetrievalConfig(context_tokens=settings.chat_context_tokens)
    scope = time_scope(analysis.asks_past, analysis.years, as_of.isoformat() if as_of else None)
    with store_errors("read the RAG's graph", consequence=None):
        context = retrieve_context(store_runner(space), space.prod, analysis, linked, config, scope)
    context_at = time.perf_counter()
    messages = build_messages(question, context, history)
    timings |= {
        "link": round((linked_at - looked_up) * 1000, 2),
        "context": round((context_at - linked_at) * 1000, 2),
        "prompt": _elapsed_ms(context_at),
    }
    return PreparedTurn(
        target, question, linked, context, messages, timings, started, version, slot=slot
    )


@dataclass(frozen=True)
class Answer:
    """A model's answer and who wrote it (for the telemetry)."""

    reply: Reply
    model: str
    standin: bool


def answer_turn(model: AnswerModel, prepared: PreparedTurn) -> Answer:
    """The model's whole answer (or "don't know" without a model call on an empty context, or
    the cached answer)."""
    if prepared.cached is not None:
        return _cached_answer(prepared.cached)
    started = time.perf_counter()
    if prepared.context.is_empty:
        reply = Reply(dont_know(prepared.question))
    else:
        reply = model.reply(prepared.messages)
    prepared.timings_ms["llm"] = _elapsed_ms(started)
    return Answer(reply, model.model, model.is_standin)


def _cached_answer(cached: CachedAnswer) -> Answer:
    return Answer(cached.reply, cached.model, cached.standin)


def _relation_public(fact: RelationFact) -> dict[str, Any]:
    """A statement of the context as the telemetry lists it, with its valid time."""
    return {
        "iri": fact.iri,
        "subject": fact.subject,
        "predicate": fact.predicate,
        "object": fact.object,
        "valid_from": fact.valid_from,
        "valid_until": fact.valid_until,
        "current": fact.is_current,
        "refs": list(fact.refs),
    }


def _telemetry(prepared: PreparedTurn, answer: Answer) -> dict[str, Any]:
    reply = answer.reply
    citations, unknown = resolve_citations(reply.text, prepared.context)
    context = prepared.context
    usage = reply.usage
    if usage is None:
        prompt = sum(estimate_tokens(m["content"]) for m in prepared.messages)
        usage = Usage(prompt, estimate_tokens(reply.text))
    return {
        "entities": [asdict(e) for e in prepared.linked],
        "entities_in_context": [f.iri for f in context.entities],
        "relations_in_context": [_relation_public(f) for f in context.relations],
        "time": context.time.describe(),
        "passages": [r.iri for r in context.passages],
        "references": [asdict(r) for r in context.references],
        "citations": [r.number for r in citations],
        "unknown_citations": unknown,
        "sparql": context.queries,
        "timings_ms": {**prepared.timings_ms, "total": _elapsed_ms(prepared.started)},
        "tokens": {
            "context": context.tokens,
            "prompt": usage.prompt_tokens,
            "completion": usage.completion_tokens,
            "estimated": reply.usage is None,
        },
        "model": answer.model,
        "standin": answer.standin,
        "production_version": prepared.production_version,
        "cached": prepared.cached is not None,
        "llm_called": not context.is_empty and prepared.cached is None,
    }


def record_turn(db: Session, prepared: PreparedTurn, answer: Answer) -> TurnResult:
    """Persist the question and the answer with its telemetry (and a new session), and commit."""
    telemetry = _telemetry(prepared, answer)
    reply = answer.reply
    target = prepared.target
    if target.new_title is not None:
        chat_sessions.create_session(
            db, target.session_id, target.rag_id, target.user_id, target.new_title
        )
    chat_sessions.add_message(db, target.session_id, "user", prepared.question, {})
    message = chat_sessions.add_message(db, target.session_id, "assistant", reply.text, telemetry)
    db.commit()
    metrics.observe_chat_turn(telemetry)
    if prepared.slot is not None and not prepared.context.is_empty:
        prepared.slot.put(
            CachedAnswer(prepared.linked, prepared.context, reply, answer.model, answer.standin)
        )
    citations, _ = resolve_citations(reply.text, prepared.context)
    logger.info(
        "chat turn in session %s: %d entities, %d passages, %s ms",
        target.session_id,
        len(prepared.context.entities),
        len(prepared.context.passages),
        telemetry["timings_ms"]["total"],
    )
    return TurnResult(
        session_id=target.session_id,
        message_id=message.id,
        answer=reply.text,
        citations=citations,
        entities=prepared.linked,
        sparql=prepared.context.queries,
        telemetry=telemetry,
    )


def _stream_model(model: AnswerModel, prepared: PreparedTurn) -> ReplyStream:
    if prepared.cached is not None:
        return ReplyStream.of_texts([prepared.cached.reply.text])
    if prepared.context.is_empty:
        return ReplyStream.of_texts([dont_know(prepared.question)])
    return model.stream(prepared.messages)


def stream_turn(
    session_factory: sessionmaker[Session], model: AnswerModel, prepared: PreparedTurn
) -> Iterator[StreamEvent]:
    """The answer as it is written, then the recorded turn. Runs after the request's own
    database session is gone, so it records with a session of its own. A turn whose stream
    breaks off (model error, client gone) is not recorded."""
    started = time.perf_counter()
    parts: list[str] = []
    stream = _stream_model(model, prepared)
    try:
        for text in stream:
            parts.append(text)
            yield StreamEvent("token", text=text)
    except LlmError as exc:  # the answer has begun: the failure becomes the stream's last event
        yield StreamEvent("error", error=exc)
        return
    if prepared.cached is not None:
        answer = _cached_answer(prepared.cached)
    else:
        prepared.timings_ms["llm"] = _elapsed_ms(started)
        answer = Answer(Reply("".join(parts), stream.usage), model.model, model.is_standin)
    with session_factory() as db:
        result = record_turn(db, prepared, answer)
    yield StreamEvent("done", result=result)


def session_target(
    db: Session, rag_id: int, user_id: int, session_id: uuid.UUID | None, question: str
) -> SessionTarget:
    """The caller's session ``session_id`` (404 if it is not theirs), or a new one."""
    if session_id is None:
        return SessionTarget(uuid.uuid4(), rag_id, user_id, chat_sessions.title_of(question))
    chat_sessions.get_session(db, rag_id, user_id, session_id)
    return SessionTarget(session_id, rag_id, user_id)


def conversation_target(
    db: Session, rag_id: int, user_id: int, session_id: uuid.UUID, question: str
) -> SessionTarget:
    """A session whose id the caller derives (the OpenAI-compatible API's conversations):
    theirs if it exists, else new."""
    if db.get(ChatSession, session_id) is None:
        return SessionTarget(session_id, rag_id, user_id, chat_sessions.title_of(question))
    return session_target(db, rag_id, user_id, session_id, question)


def start_turn(
    db: Session,
    store: TripleStore,
    settings: Settings,
    target: SessionTarget,
    question: str,
    as_of: date | None = None,
    cache: AnswerCache | None = None,
) -> PreparedTurn:
    """Prepare the question with the recent turns of its session."""
    history: list[Turn] = []
    if target.new_title is None:
        history = chat_sessions.recent_turns(db, target.session_id, settings.chat_history_turns)
    return prepare_turn(db, store, settings, target, question, history, as_of, cache)


def complete_turn(
    session_factory: sessionmaker[Session], model: AnswerModel, prepared: PreparedTurn
) -> TurnResult:
    """Answer a prepared question in one piece and record the turn."""
    answer = answer_turn(model, prepared)
    with session_factory() as db:
        return record_turn(db, prepared, answer)
