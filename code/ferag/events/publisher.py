"""Publishing a progress event: persist first, then announce on Redis.

The event is committed to the database before anything is published, so the database is the
record: a Redis failure after the commit is logged and swallowed, and subscribers pick the event
up from the database (``ferag.events.hub`` polls for what its sockets have not seen). Database
errors do raise: an event that could not be stored did not happen.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from ferag.db.models import TaskStatus
from ferag.events import history
from ferag.events.schemas import TaskEventPublic, channel

logger = logging.getLogger(__name__)


def publish_event(
    session_factory: sessionmaker[Session],
    redis: Redis,
    task_id: uuid.UUID,
    step: str,
    status: TaskStatus | str,
    *,
    progress: float | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    error: str | None = None,
) -> TaskEventPublic:
    """Store the next event of ``task_id`` and publish it on ``task:{task_id}``."""
    draft = history.EventDraft(
        step=step,
        status=TaskStatus(status),
        progress=progress,
        message=message,
        data=data or {},
        error=error,
    )
    with session_factory.begin() as db:
        event = history.append_event(db, task_id, draft)
    announce(redis, event)
    return event


def announce(redis: Redis, event: TaskEventPublic) -> bool:
    """Publish a stored event; False (logged) when Redis cannot take it."""
    try:
        _publish_retrying_once(redis, channel(event.task_id), event.model_dump_json())
    except RedisError as exc:
        logger.warning(
            "event %s of task %s (step %s) is stored but not published: %s; "
            "subscribers will read it from the database",
            event.seq,
            event.task_id,
            event.step,
            exc,
        )
        return False
    return True


def _publish_retrying_once(redis: Redis, name: str, payload: str) -> None:
    try:
        redis.publish(name, payload)
    except RedisConnectionError:  # a pooled connection that Redis dropped; a retry reconnects
        redis.publish(name, payload)
