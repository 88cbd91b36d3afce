"""The persisted event history of tasks: appending an event and reading events back.

``append_event`` is the only writer of ``task_events``. It locks the task row, so the events of
one task get ``seq`` 1, 2, 3, … in commit order with no gap: a subscriber that has seen ``n`` and
then sees ``n + 2`` knows that ``n + 1`` is already in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ferag.db.models import Task, TaskEvent, TaskStatus
from ferag.errors import NotFound
from ferag.events.schemas import PIPELINE_STEP, TaskEventPublic


@dataclass(frozen=True)
class EventDraft:
    """What a step reports; ``append_event`` adds the task, ``seq`` and timestamp."""

    step: str
    status: TaskStatus
    progress: float | None = None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def __post_init__(self) -> None:
        if not 0 < len(self.step) <= 40:
            raise ValueError(f"step {self.step!r} must be 1 to 40 characters")
        if self.progress is not None and not 0.0 <= self.progress <= 1.0:
            raise ValueError(f"progress {self.progress} must be between 0 and 1")


def create_task(db: Session, rag_id: int, kind: str, cycle_id: int | None = None) -> Task:
    """Add a queued task (flushed, not committed: the caller owns the transaction)."""
    task = Task(id=uuid.uuid4(), rag_id=rag_id, cycle_id=cycle_id, kind=kind)
    db.add(task)
    db.flush()
    return task


def append_event(db: Session, task_id: uuid.UUID, draft: EventDraft) -> TaskEventPublic:
    """Store the next event of a task and, for the `pipeline` step, the task's status.

    Runs inside the caller's transaction and holds the task row lock until it commits.
    """
    task = db.scalars(select(Task).where(Task.id == task_id).with_for_update()).one_or_none()
    if task is None:
        raise NotFound(f"task {task_id} does not exist", code="task_not_found")
    seq = last_seq(db, task_id) + 1
    ts = db.scalars(
        insert(TaskEvent)
        .values(
            task_id=task_id,
            seq=seq,
            ts=func.clock_timestamp(),
            step=draft.step,
            status=draft.status,
            progress=draft.progress,
            message=draft.message,
            data=draft.data,
            error=draft.error,
        )
        .returning(TaskEvent.ts)
    ).one()
    if draft.step == PIPELINE_STEP:
        progress_only = draft.status is TaskStatus.progress
        task.status = TaskStatus.running if progress_only else draft.status
    return TaskEventPublic(
        task_id=task_id,
        cycle_id=task.cycle_id,
        seq=seq,
        ts=ts,
        step=draft.step,
        status=draft.status,
        progress=draft.progress,
        message=draft.message,
        data=draft.data,
        error=draft.error,
    )


def task_status(db: Session, task_id: uuid.UUID) -> TaskStatus | None:
    return db.scalar(select(Task.status).where(Task.id == task_id))


def last_seq(db: Session, task_id: uuid.UUID) -> int:
    found = db.scalar(select(func.max(TaskEvent.seq)).where(TaskEvent.task_id == task_id))
    return int(found or 0)


def events_after(db: Session, task_id: uuid.UUID, after: int, limit: int) -> list[TaskEventPublic]:
    """Up to ``limit`` events with ``seq > after``, in ``seq`` order."""
    rows = db.execute(
        select(TaskEvent, Task.cycle_id)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(TaskEvent.task_id == task_id, TaskEvent.seq > after)
        .order_by(TaskEvent.seq)
        .limit(limit)
    ).all()
    return _public(rows)


def latest_per_step(db: Session, task_id: uuid.UUID) -> list[TaskEventPublic]:
    """The latest event of each step, ordered by ``seq``."""
    latest = (
        select(TaskEvent.id)
        .where(TaskEvent.task_id == task_id)
        .order_by(TaskEvent.step, TaskEvent.seq.desc())
        .distinct(TaskEvent.step)
    )
    rows = db.execute(
        select(TaskEvent, Task.cycle_id)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(TaskEvent.id.in_(latest))
        .order_by(TaskEvent.seq)
    ).all()
    return _public(rows)


def _public(rows: Sequence[Any]) -> list[TaskEventPublic]:
    return [
        TaskEventPublic(
            task_id=event.task_id,
            cycle_id=cycle_id,
            seq=event.seq,
            ts=event.ts,
            step=event.step,
            status=event.status,
            progress=event.progress,
            message=event.message,
            data=event.data,
            error=event.error,
        )
        for event, cycle_id in rows
    ]
