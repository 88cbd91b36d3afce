"""The progress reporter a step uses: start, advance (throttled, with an ETA), done, failed.

``ProgressReporter`` implements ``graphrag_lib.progress.ProgressCallback``, so a worker task
passes it straight into a library step::

    reporter = ProgressReporter(session_factory, redis, task_id, "index")
    reporter.start("indexing 12 documents")
    stats = run_index(..., progress=reporter)   # calls reporter(done, total, message, data)
    reporter.done(stats)

Advances are throttled to one event per ``min_interval_s`` (default 0.5 s) unless the step
reaches its total or the running GraphRAG workflow (``data["workflow"]``) changes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from ferag.db.models import TaskStatus
from ferag.events.publisher import publish_event
from ferag.events.schemas import TaskEventPublic


class ProgressReporter:
    """Reports one step of one task as events (through ``publish_event``)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        redis: Redis,
        task_id: uuid.UUID,
        step: str,
        *,
        min_interval_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session_factory = session_factory
        self.redis = redis
        self.task_id = task_id
        self.step = step
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._started_at: float | None = None
        self._last_sent_at: float | None = None
        self._last_workflow: object = None

    def start(self, message: str = "", data: dict[str, Any] | None = None) -> TaskEventPublic:
        self._started_at = self._clock()
        return self._publish(TaskStatus.running, message=message, data=data)

    def advance(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> TaskEventPublic | None:
        """Report ``done`` of ``total`` units; None when throttled (nothing published)."""
        now = self._clock()
        if self._started_at is None:
            self._started_at = now
        data = data or {}
        if not self._is_due(now, done, total, data.get("workflow")):
            return None
        self._last_workflow = data.get("workflow")
        rate, eta = self._rate_and_eta(now, done, total)
        details = {**data, "done": done, "total": total, "rate_per_s": rate, "eta_s": eta}
        fraction = min(1.0, max(0.0, done / total)) if total else None
        return self._publish(TaskStatus.progress, fraction, message, details)

    def __call__(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> None:
        """``graphrag_lib.progress.ProgressCallback``: the same as ``advance``."""
        self.advance(done, total, message, data)

    def done(self, data: dict[str, Any] | None = None, message: str = "") -> TaskEventPublic:
        """The step finished; ``data`` carries its results (counts), ``elapsed_s`` is added."""
        elapsed = self._elapsed()
        details = {**(data or {}), "elapsed_s": elapsed} if elapsed is not None else data
        return self._publish(TaskStatus.done, 1.0, message, details)

    def failed(
        self, error: BaseException | str, message: str = "", data: dict[str, Any] | None = None
    ) -> TaskEventPublic:
        text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error
        return self._publish(TaskStatus.failed, message=message or text, data=data, error=text)

    def cancelled(self, message: str = "cancelled") -> TaskEventPublic:
        return self._publish(TaskStatus.cancelled, message=message)

    def _is_due(self, now: float, done: int, total: int | None, workflow: object) -> bool:
        if self._last_sent_at is None or (total is not None and done >= total):
            return True
        if workflow is not None and workflow != self._last_workflow:
            return True
        return now - self._last_sent_at >= self.min_interval_s

    def _rate_and_eta(
        self, now: float, done: int, total: int | None
    ) -> tuple[float | None, float | None]:
        elapsed = now - (self._started_at or now)
        if done <= 0 or elapsed <= 0:
            return None, None
        rate = done / elapsed
        eta = max(0.0, (total - done) / rate) if total is not None else None
        return round(rate, 3), round(eta, 1) if eta is not None else None

    def _elapsed(self) -> float | None:
        if self._started_at is None:
            return None
        return round(self._clock() - self._started_at, 3)

    def _publish(
        self,
        status: TaskStatus,
        progress: float | None = None,
        message: str = "",
        data: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> TaskEventPublic:
        self._last_sent_at = self._clock()
        return publish_event(
            self.session_factory,
            self.redis,
            self.task_id,
            self.step,
            status,
            progress=progress,
            message=message,
            data=data,
            error=error,
        )
