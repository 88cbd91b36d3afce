"""Shapes of progress events: the public event, task summaries, and the socket's messages."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from ferag.db.models import TaskStatus

PIPELINE_STEP = "pipeline"
"""The ``step`` of events about the task as a whole; its terminal status ends the stream."""

TERMINAL_STATUSES = frozenset({TaskStatus.done, TaskStatus.failed, TaskStatus.cancelled})


def channel(task_id: uuid.UUID) -> str:
    """The Redis channel that carries the events of one task."""
    return f"task:{task_id}"


CHANNEL_PATTERN = "task:*"


class TaskEventPublic(BaseModel):
    task_id: uuid.UUID
    cycle_id: int | None = Field(description="The update cycle the task runs, if any.")
    seq: int = Field(description="Position in the task's events: 1, 2, 3, … without gaps.")
    ts: datetime = Field(description="When the event was stored (database clock).")
    step: str = Field(description="Pipeline step, or `pipeline` for the task as a whole.")
    status: TaskStatus
    progress: float | None = Field(None, description="Fraction of the step done, 0 to 1.")
    message: str = ""
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Step details, e.g. `workflow`, `done`, `total`, `eta_s`, `rate_per_s`.",
    )
    error: str | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether this event ends the task (the `pipeline` step done, failed or cancelled)."""
        return self.step == PIPELINE_STEP and self.status in TERMINAL_STATUSES


class TaskPublic(BaseModel):
    id: uuid.UUID
    rag_id: int
    cycle_id: int | None
    kind: str
    status: TaskStatus = Field(description="Status of the `pipeline` step.")
    is_finished: bool = Field(description="The pipeline is done, failed or cancelled.")
    created_at: datetime
    updated_at: datetime
    last_seq: int = Field(description="`seq` of the latest event; 0 before the first.")
    steps: dict[str, TaskEventPublic] = Field(
        description="The latest event of each step, in the order of those events."
    )


class TaskEventsPublic(BaseModel):
    data: list[TaskEventPublic]
    count: int = Field(description="Events in this page.")
    last_seq: int = Field(description="`seq` of the task's latest event overall.")
    status: TaskStatus
    is_finished: bool = Field(
        description="The pipeline is terminal: once a page is empty, no more events will come."
    )


class WsTicketPublic(BaseModel):
    ticket: str = Field(description="Single-use; pass as `?ticket=` when opening the socket.")
    expires_in: int = Field(description="Seconds the ticket stays valid if unused.")
    url: str = Field(description="Path of the WebSocket, ticket included.")


@dataclass(frozen=True, slots=True)
class WireEvent:
    """An event as a socket sends it, serialised once and shared by every subscriber."""

    seq: int
    is_pipeline: bool
    is_terminal: bool
    text: str

    @classmethod
    def from_event(cls, event: TaskEventPublic) -> WireEvent:
        body = {"type": "event", **event.model_dump(mode="json")}
        return cls(
            seq=event.seq,
            is_pipeline=event.step == PIPELINE_STEP,
            is_terminal=event.is_terminal,
            text=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        )


def ready_message(task_id: uuid.UUID, after: int) -> str:
    return json.dumps({"type": "ready", "task_id": str(task_id), "after": after})


def heartbeat_message() -> str:
    return json.dumps({"type": "heartbeat", "ts": datetime.now(UTC).isoformat()})
