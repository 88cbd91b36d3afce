"""Creating, listing, updating and deleting RAGs; each RAG has a space in the triple store."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from celery import Celery
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.db.models import Member, Rag, Role, User
from ferag.services.cycles import revoke_running_step
from ferag.store.client import StoreError, TripleStore

logger = logging.getLogger(__name__)


INDEXING_COLUMNS = frozenset({"language", "entity_types", "chunk_size", "chunk_overlap"})


def create_rag(
    db: Session,
    store: TripleStore,
    owner: User,
    name: str,
    description: str,
    indexing: Mapping[str, Any] | None = None,
) -> Rag:
    """Insert the RAG and its owner, prepare its store space, then commit (all or nothing).
    ``indexing`` sets the columns of ``INDEXING_COLUMNS`` it names (absent: NULL, the
    deployment default)."""
    rag = Rag(name=name, description=description, created_by=owner.id)
    set_indexing(rag, indexing or {})
    db.add(rag)
    db.flush()
    db.add(Member(rag_id=rag.id, user_id=owner.id, role=Role.owner))
    db.flush()
    try:
        store.create_space(rag.id)
    except StoreError as exc:
        db.rollback()
        exc.during("prepare the RAG's space", "the RAG was not created")
        raise
    db.commit()
    db.refresh(rag)
    logger.info("rag %s created by user %s", rag.id, owner.id)
    return rag


def list_rags(
    db: Session, user: User, offset: int, limit: int
) -> tuple[list[tuple[Rag, Role]], int]:
    """The RAGs ``user`` is a member of, newest first, with the user's role on each."""
    mine = select(Rag, Member.role).join(Member, Member.rag_id == Rag.id)
    mine = mine.where(Member.user_id == user.id)
    total = db.scalar(select(func.count()).select_from(mine.subquery())) or 0
    rows = db.execute(mine.order_by(Rag.id.desc()).offset(offset).limit(limit)).all()
    return [(rag, role) for rag, role in rows], total


def set_indexing(rag: Rag, indexing: Mapping[str, Any]) -> None:
    """Set how the RAG's next cycles index; a None value goes back to the deployment default."""
    unknown = set(indexing) - INDEXING_COLUMNS
    if unknown:
        raise ValueError(f"not indexing columns of a RAG: {sorted(unknown)}")
    for column, value in indexing.items():
        setattr(rag, column, value)


def update_rag(
    db: Session,
    rag: Rag,
    name: str | None,
    description: str | None,
    indexing: Mapping[str, Any] | None = None,
) -> Rag:
    set_indexing(rag, indexing or {})
    if name is not None:
        rag.name = name
    if description is not None:
        rag.description = description
    db.commit()
    db.refresh(rag)
    return rag


def cancel_active_cycles(db: Session, celery: Celery, rag_id: int) -> None:
    """Cancel the RAG's pending and running cycles and stop their running steps (committed
    first, so a step that starts afterwards sees the status and stops its chain)."""
    active = lifecycle.cancel_active(db, rag_id)
    db.commit()
    for cycle in active:
        revoke_running_step(celery, cycle)
    if active:
        logger.info("rag %s: %d cycles in flight cancelled", rag_id, len(active))


def delete_rag(db: Session, store: TripleStore, rag: Rag, celery: Celery | None = None) -> None:
    """Delete the RAG's rows (cascading) and its store data; if the store fails, keep both.
    With ``celery``, cycles in flight are cancelled first."""
    rag_id = rag.id
    if celery is not None:
        cancel_active_cycles(db, celery, rag_id)
    db.delete(rag)
    db.flush()
    try:
        store.drop_space(rag_id)
    except StoreError as exc:
        db.rollback()
        exc.during("drop the RAG's data", "nothing was deleted")
        raise
    db.commit()
    logger.info("rag %s deleted", rag_id)
