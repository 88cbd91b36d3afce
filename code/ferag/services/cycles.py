"""Update cycles: opening one for an upload, enqueuing its chain, retry and cancel.

The chain is a list of immutable Celery signatures named ``ferag.cycle.<step>``; the API builds
it by name and never imports worker code. A step already done is skipped when the chain runs
again, which is what makes retry resume at the failed step.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from celery import Celery, chain
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ferag.db.models import Cycle, CycleStatus, Document, Rag, Task, TaskStatus, User, Version
from ferag.errors import Conflict, NotFound
from ferag.events import history
from ferag.events.history import EventDraft
from ferag.events.schemas import TaskEventPublic
from graphrag_lib.documents import SourceDocument

logger = logging.getLogger(__name__)

CYCLE_STEPS: tuple[str, ...] = ("index", "to_rdf", "schema", "merge", "staging")
PIPELINE = "pipeline"
TASK_KIND = "cycle"


def task_name(step: str) -> str:
    return f"ferag.cycle.{step}"


def current_version(db: Session, rag_id: int) -> int:
    """The number of the RAG's production version (0 before the first approval)."""
    number = db.scalar(select(func.max(Version.number)).where(Version.rag_id == rag_id))
    return int(number or 0)


def open_cycle(
    db: Session,
    rag: Rag,
    user: User,
    documents: Sequence[SourceDocument],
) -> tuple[Cycle, Task]:
    """Store the documents with a new cycle and its task in one transaction."""
    cycle = Cycle(
        rag_id=rag.id,
        created_by=user.id,
        base_version=current_version(db, rag.id),
        stats={"documents": len(documents)},
    )
    db.add(cycle)
    db.flush()
    task = history.create_task(db, rag.id, TASK_KIND, cycle_id=cycle.id)
    for doc in documents:
        db.add(_document_row(rag.id, cycle.id, doc))
    message = f"cycle {cycle.id} queued with {len(documents)} documents"
    history.append_event(db, task.id, EventDraft(PIPELINE, TaskStatus.queued, message=message))
    db.commit()
    logger.info("cycle %s opened for rag %s with %d documents", cycle.id, rag.id, len(documents))
    return cycle, task


def _document_row(rag_id: int, cycle_id: int, doc: SourceDocument) -> Document:
    return Document(
        rag_id=rag_id,
        cycle_id=cycle_id,
        path=doc.path,
        title=doc.title,
        format=doc.format,
        encoding=doc.encoding,
        document_date=doc.date,
        sha256=doc.sha256,
        size=doc.size,
        original=doc.original,
        text=doc.text,
    )


def enqueue_cycle(celery: Celery, cycle_id: int) -> str:
    """Send the cycle's chain to the workers; returns the id of the first Celery task."""
    signatures = [
        celery.signature(task_name(step), args=(cycle_id,), immutable=True) for step in CYCLE_STEPS
    ]
    result = chain(*signatures).apply_async()
    return str(result.id)


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


def get_cycle(db: Session, rag_id: int, cycle_id: int) -> Cycle:
    cycle = db.scalar(select(Cycle).where(Cycle.id == cycle_id, Cycle.rag_id == rag_id))
    if cycle is None:
        raise NotFound(f"RAG {rag_id} has no cycle {cycle_id}", code="cycle_not_found")
    return cycle


def prepare_retry(db: Session, cycle: Cycle) -> None:
    """Put a failed cycle back to pending; done steps stay done and will be skipped."""
    if cycle.status is not CycleStatus.failed:
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; only failed cycles are retried",
            code="cycle_not_failed",
        )
    steps = dict(cycle.steps)
    if cycle.failed_step and cycle.failed_step in steps:
        steps.pop(cycle.failed_step)
    cycle.steps = steps
    cycle.status = CycleStatus.pending
    cycle.error = None
    db.commit()


def request_cancel(db: Session, celery: Celery, cycle: Cycle) -> TaskEventPublic:
    """Mark the cycle cancelled, record the terminal pipeline event and stop the running step;
    a step that starts later sees the status and stops the chain. Returns the event for the
    caller to announce once committed."""
    if not cycle.is_active and cycle.status is not CycleStatus.failed:
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; only running, pending or failed cycles "
            "are cancelled",
            code="cycle_not_active",
        )
    cycle.status = CycleStatus.cancelled
    draft = EventDraft(PIPELINE, TaskStatus.cancelled, message=f"cycle {cycle.id} cancelled")
    event = history.append_event(db, cycle_task(db, cycle).id, draft)
    db.commit()
    if cycle.celery_task_id:
        celery.control.revoke(cycle.celery_task_id, terminate=True, signal="SIGTERM")
    return event
