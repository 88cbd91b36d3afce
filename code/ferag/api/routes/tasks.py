"""Tasks over HTTP: status, events since a ``seq`` (for clients without WebSockets), and the
single-use ticket that opens ``WS /ws/tasks/{task_id}``.

Any member of the task's RAG may read it; everyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from ferag.api.deps import CurrentUser, DbDep, RedisDep, SettingsDep
from ferag.api.openapi import raises
from ferag.api.params import AfterSeq
from ferag.db.models import Task
from ferag.errors import NotFound
from ferag.events import history, tickets
from ferag.events.schemas import (
    TERMINAL_STATUSES,
    TaskEventsPublic,
    TaskPublic,
    WsTicketPublic,
)
from ferag.services.members import visible_task

router = APIRouter(prefix="/tasks", tags=["tasks"])


@raises(404)
def get_visible_task(
    task_id: Annotated[uuid.UUID, Path(description="Task id")], user: CurrentUser, db: DbDep
) -> Task:
    task = visible_task(db, task_id, user.id)
    if task is None:
        raise NotFound(
            f"task {task_id} does not exist or you are not a member of its RAG",
            code="task_not_found",
        )
    return task


TaskViewer = Annotated[Task, Depends(get_visible_task)]


@router.get("/{task_id}")
def read_task(task: TaskViewer, db: DbDep) -> TaskPublic:
    latest = history.latest_per_step(db, task.id)
    return TaskPublic(
        id=task.id,
        rag_id=task.rag_id,
        cycle_id=task.cycle_id,
        kind=task.kind,
        status=task.status,
        is_finished=task.status in TERMINAL_STATUSES,
        created_at=task.created_at,
        updated_at=task.updated_at,
        last_seq=max((event.seq for event in latest), default=0),
        steps={event.step: event for event in latest},
    )


@router.get("/{task_id}/events")
def list_task_events(
    task: TaskViewer,
    db: DbDep,
    after: AfterSeq = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> TaskEventsPublic:
    """Stored events in ``seq`` order; poll with ``after`` = the last ``seq`` you have."""
    events = history.events_after(db, task.id, after, limit)
    return TaskEventsPublic(
        data=events,
        count=len(events),
        last_seq=history.last_seq(db, task.id),
        status=task.status,
        is_finished=task.status in TERMINAL_STATUSES,
    )


@router.post("/{task_id}/ticket", status_code=status.HTTP_201_CREATED)
@raises(503)
def create_ws_ticket(
    task: TaskViewer, user: CurrentUser, redis: RedisDep, settings: SettingsDep
) -> WsTicketPublic:
    """A single-use ticket, valid for ``ws_ticket_ttl_s`` seconds, for this task's socket."""
    ticket = tickets.issue_ticket(redis, user.id, task.id, settings.ws_ticket_ttl_s)
    return WsTicketPublic(
        ticket=ticket,
        expires_in=settings.ws_ticket_ttl_s,
        url=f"/ws/tasks/{task.id}?ticket={ticket}",
    )
