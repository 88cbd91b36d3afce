"""Chat sessions and their messages: private to the user who opened them, within one RAG.

A session another user opened, or one of another RAG, does not exist as far as the caller is
concerned (404 ``session_not_found``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ferag.db.models import ChatMessage, ChatSession
from ferag.errors import NotFound
from graphrag_lib.retrieve import Turn, strip_sources_footer

TITLE_LENGTH = 200


@dataclass(frozen=True)
class SessionSummary:
    session: ChatSession
    messages: int
    last_message_at: datetime | None


def title_of(question: str) -> str:
    title = " ".join(question.split())
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


def get_session(db: Session, rag_id: int, user_id: int, session_id: uuid.UUID) -> ChatSession:
    session = db.get(ChatSession, session_id)
    if session is None or session.rag_id != rag_id or session.user_id != user_id:
        raise NotFound(
            f"chat session {session_id} does not exist in RAG {rag_id} or is not yours; "
            "omit session_id to start a new one",
            code="session_not_found",
        )
    return session


def create_session(
    db: Session, session_id: uuid.UUID, rag_id: int, user_id: int, title: str
) -> None:
    """Create the session unless it exists (two turns of a new conversation may race)."""
    db.execute(
        insert(ChatSession)
        .values(id=session_id, rag_id=rag_id, user_id=user_id, title=title)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def list_sessions(
    db: Session, rag_id: int, user_id: int, offset: int, limit: int
) -> tuple[list[SessionSummary], int]:
    """The caller's sessions in the RAG, most recently active first."""
    mine = select(ChatSession).where(ChatSession.rag_id == rag_id, ChatSession.user_id == user_id)
    total = db.scalar(select(func.count()).select_from(mine.subquery())) or 0
    stats = (
        select(
            ChatMessage.session_id,
            func.count().label("messages"),
            func.max(ChatMessage.created_at).label("last"),
        )
        .group_by(ChatMessage.session_id)
        .subquery()
    )
    activity = func.coalesce(stats.c.last, ChatSession.created_at)
    rows = db.execute(
        select(ChatSession, stats.c.messages, stats.c.last)
        .outerjoin(stats, stats.c.session_id == ChatSession.id)
        .where(ChatSession.rag_id == rag_id, ChatSession.user_id == user_id)
        .order_by(activity.desc(), ChatSession.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [SessionSummary(s, messages or 0, last) for s, messages, last in rows], total


def messages_of(db: Session, session_id: uuid.UUID) -> list[ChatMessage]:
    return list(
        db.scalars(
            select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(ChatMessage.id)
        )
    )


def recent_turns(db: Session, session_id: uuid.UUID, turns: int) -> list[Turn]:
    """The last ``turns`` question/answer pairs of the session, oldest first."""
    if turns <= 0:
        return []
    rows = db.scalars(
        select(ChatMessage)
        .where(ChatMessage.session_id == session_id)
        .order_by(ChatMessage.id.desc())
        .limit(2 * turns)
    ).all()
    return [Turn(m.role, strip_sources_footer(m.content)) for m in reversed(rows)]


def add_message(
    db: Session, session_id: uuid.UUID, role: str, content: str, data: dict[str, Any]
) -> ChatMessage:
    message = ChatMessage(session_id=session_id, role=role, content=content, data=data)
    db.add(message)
    db.flush()
    return message


def delete_session(db: Session, session: ChatSession) -> None:
    db.delete(session)
    db.commit()
