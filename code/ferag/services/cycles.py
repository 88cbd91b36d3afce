"""Update cycles: opening one for an upload, reading them, retry and cancel.

Status changes go through ``ferag.cycle.lifecycle``; chains are sent by ``ferag.cycle.chain``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from celery import Celery
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import Cycle, CycleStatus, Document, Rag, Task, TaskStatus, User, Version
from ferag.errors import NotFound
from ferag.events import history
from ferag.events.history import EventDraft
from ferag.events.schemas import TaskEventPublic
from graphrag_lib.documents import SourceDocument

logger = logging.getLogger(__name__)

PIPELINE = "pipeline"
TASK_KIND = "cycle"
# One INSERT of document rows carries about this much (one larger document goes alone): PostgreSQL
# refuses a message over 1 GB, and the batch is held in memory until it is sent.
INSERT_BATCH_BYTES = 8 * 1024 * 1024
INSERT_BATCH_ROWS = 500


def current_version(db: Session, rag_id: int) -> int:
    """The number of the RAG's production version (0 before the first approval)."""
    number = db.scalar(select(func.max(Version.number)).where(Version.rag_id == rag_id))
    return int(number or 0)


def open_cycle(
    db: Session,
    rag: Rag,
    user: User,
    documents: Iterable[SourceDocument],
) -> tuple[Cycle, Task]:
    """Store the documents with a new cycle and its task in one transaction.

    ``documents`` may be an iterator that reads them as it goes (``iter_upload``): rows are
    written in batches of about ``INSERT_BATCH_BYTES`` as they come, so neither this process
    nor one INSERT statement holds the whole upload. If it raises, the transaction is rolled
    back and nothing is stored.
    """
    try:
        cycle = Cycle(rag_id=rag.id, created_by=user.id, base_version=current_version(db, rag.id))
        db.add(cycle)
        db.flush()
        task = history.create_task(db, rag.id, TASK_KIND, cycle_id=cycle.id)
        count, size = _insert_documents(db, rag.id, cycle.id, documents)
    except BaseException:
        db.rollback()
        raise
    cycle.stats = {"documents": count}
    message = f"cycle {cycle.id} queued with {count} documents"
    history.append_event(db, task.id, EventDraft(PIPELINE, TaskStatus.queued, message=message))
    db.commit()
    logger.info(
        "cycle %s opened for rag %s with %d documents (%d bytes)", cycle.id, rag.id, count, size
    )
    return cycle, task


def _insert_documents(
    db: Session, rag_id: int, cycle_id: int, documents: Iterable[SourceDocument]
) -> tuple[int, int]:
    """Insert the documents in bounded batches; ``(count, bytes of originals)``."""
    batch: list[dict[str, object]] = []
    batch_bytes = count = total = 0
    for doc in documents:
        batch.append(_document_row(rag_id, cycle_id, doc))
        batch_bytes += doc.size + len(doc.text)
        count += 1
        total += doc.size
        if batch_bytes >= INSERT_BATCH_BYTES or len(batch) >= INSERT_BATCH_ROWS:
            db.execute(insert(Document), batch)
            batch, batch_bytes = [], 0
    if batch:
        db.execute(insert(Document), batch)
    return count, total


def _document_row(rag_id: int, cycle_id: int, doc: SourceDocument) -> dict[str, object]:
    return {
        "rag_id": rag_id,
        "cycle_id": cycle_id,
        "path": doc.path,
        "title": doc.title,
        "format": doc.format,
        "encoding": doc.encoding,
        "document_date": doc.date,
        "sha256": doc.sha256,
        "size": doc.size,
        "original": doc.original,
        "text": doc.text,
    }


def cycle_task(db: Session, cycle: Cycle) -> Task:
    task = db.scalar(select(Task).where(Task.cycle_id == cycle.id, Task.kind == TASK_KIND))
    if task is None:
        raise NotFound(f"cycle {cycle.id} has no task", code="task_not_found")
    return task


def list_cycles(
    db: Session, rag_id: int, offset: int, limit: int
) -> list[tuple[Cycle, uuid.UUID, int]]:
    """The RAG's cycles, newest first, each with its task id and document count."""
    documents = (
        select(func.count()).where(Document.cycle_id == Cycle.id).correlate(Cycle).scalar_subquery()
    )
    rows = db.execute(
        select(Cycle, Task.id, documents)
        .join(Task, (Task.cycle_id == Cycle.id) & (Task.kind == TASK_KIND))
        .where(Cycle.rag_id == rag_id)
        .order_by(Cycle.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [(cycle, task_id, int(count)) for cycle, task_id, count in rows]


def count_by_status(db: Session) -> dict[CycleStatus, int]:
    """How many cycles of every RAG are in each status (every status, zeros included)."""
    rows = db.execute(select(Cycle.status, func.count()).group_by(Cycle.status)).all()
    counts = {status: 0 for status in CycleStatus}
    counts.update({status: int(count) for status, count in rows})
    return counts


def get_cycle(db: Session, rag_id: int, cycle_id: int) -> Cycle:
    cycle = db.scalar(select(Cycle).where(Cycle.id == cycle_id, Cycle.rag_id == rag_id))
    if cycle is None:
        raise NotFound(f"RAG {rag_id} has no cycle {cycle_id}", code="cycle_not_found")
    return cycle


def retry_cycle(db: Session, celery: Celery, cycle: Cycle) -> None:
    """Put a failed cycle back to pending and send its chain again; done steps are skipped."""
    locked = db.get(Cycle, cycle.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    lifecycle.retry(locked)
    db.commit()
    enqueue_steps(celery, cycle.id)


def request_cancel(db: Session, celery: Celery, cycle: Cycle) -> TaskEventPublic:
    """Mark the cycle cancelled, record the terminal pipeline event and stop the running step;
    a step that starts later sees the status and stops the chain. Returns the event for the
    caller to announce once committed."""
    lifecycle.cancel(cycle)
    draft = EventDraft(PIPELINE, TaskStatus.cancelled, message=f"cycle {cycle.id} cancelled")
    event = history.append_event(db, cycle_task(db, cycle).id, draft)
    db.commit()
    revoke_running_step(celery, cycle)
    return event


def revoke_running_step(celery: Celery, cycle: Cycle) -> None:
    if cycle.celery_task_id:
        celery.control.revoke(cycle.celery_task_id, terminate=True, signal="SIGTERM")
