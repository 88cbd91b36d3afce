"""Step leases in the worker: a running step keeps its lease alive, and a reaper puts the steps
whose lease ran out (their worker died) back on the queue.

- ``LeaseKeeper`` renews the lease of the step its task runs, from a thread, every third of
  ``FERAG_STEP_LEASE_S``, until the step ends. A worker killed mid-step stops renewing, so its
  lease runs out within one lease, not after the broker's visibility timeout (hours).
- ``reap_lapsed_leases`` frees each step whose lease ran out (``lifecycle.release_step``),
  sends the cycle's steps from it on to the workers again (steps are idempotent) and records a
  progress event saying so. Every worker runs it when it starts and every
  ``FERAG_LEASE_REAPER_INTERVAL_S`` (``start_reaper``); the rows are locked with ``SKIP
  LOCKED``, so two workers never requeue the same step.

Whichever task claims a freed step first holds it; a second copy (the broker redelivering the
dead worker's message, or a second reaper round) finds the lease live and stops its chain.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from types import TracebackType

from celery import Celery
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from ferag.cycle import lifecycle
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import Cycle, TaskStatus
from ferag.events.publisher import publish_event
from ferag.services.cycles import cycle_task

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews the lease of ``step`` of cycle ``cycle_id`` held by ``celery_task_id`` while the
    ``with`` block runs."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cycle_id: int,
        step: str,
        celery_task_id: str | None,
        lease_s: float,
    ) -> None:
        self.session_factory = session_factory
        self.cycle_id = cycle_id
        self.step = step
        self.celery_task_id = celery_task_id
        self.lease_s = lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ferag-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                if not self.renew():
                    return
            except Exception as exc:  # the database is away: try again, the lease may hold
                logger.warning(
                    "cycle %s step %s: lease not renewed: %s", self.cycle_id, self.step, exc
                )

    def renew(self) -> bool:
        """Renew once; False when the task no longer holds the step."""
        with self.session_factory() as db:
            cycle = db.get(Cycle, self.cycle_id, with_for_update=True)
            held = cycle is not None and lifecycle.renew_lease(
                cycle, self.step, self.celery_task_id, self.lease_s
            )
            db.commit()
        if not held:
            logger.warning(
                "cycle %s step %s: this task no longer holds the step (cancelled, finished "
                "or put back on the queue); lease not renewed",
                self.cycle_id,
                self.step,
            )
        return held


def release(
    session_factory: sessionmaker[Session], cycle_id: int, step: str, lease_s: float
) -> None:
    """Free a step its task gives up for now (a retry after a transient error will claim it)."""
    with session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is not None:
            lifecycle.release_step(cycle, step, lease_s)
            db.commit()


@dataclass(frozen=True)
class Requeued:
    cycle_id: int
    step: str
    task_id: uuid.UUID


def reap_lapsed_leases(
    session_factory: sessionmaker[Session], redis: Redis, celery: Celery, lease_s: float
) -> list[Requeued]:
    """Put every step whose lease ran out back on the queue; returns what was requeued."""
    with session_factory() as db:
        requeued = []
        for cycle, step in lifecycle.lapsed_leases(db):
            lifecycle.release_step(cycle, step, lease_s)
            requeued.append(Requeued(cycle.id, step, cycle_task(db, cycle).id))
        db.commit()
    for item in requeued:
        # Sent after the commit: if sending fails, the new lease runs out and the next round
        # sends it again.
        enqueue_steps(celery, item.cycle_id, start_at=item.step)
        message = (
            f"the worker running step {item.step} stopped renewing its lease (it died or "
            f"lost the database); step {item.step} is back on the queue"
        )
        logger.warning("cycle %s: %s", item.cycle_id, message)
        publish_event(
            session_factory,
            redis,
            item.task_id,
            item.step,
            TaskStatus.progress,
            message=message,
            data={"requeued": True},
        )
    return requeued


def start_reaper(
    session_factory: sessionmaker[Session],
    redis: Redis,
    celery: Celery,
    lease_s: float,
    interval_s: float,
    stop: threading.Event,
) -> threading.Thread:
    """Reap now and every ``interval_s`` until ``stop`` is set, from a daemon thread."""

    def run() -> None:
        while not stop.is_set():
            try:
                reap_lapsed_leases(session_factory, redis, celery, lease_s)
            except Exception as exc:  # database or Redis away: the next round tries again
                logger.warning("lease reaper: %s", exc)
            stop.wait(interval_s)

    thread = threading.Thread(target=run, name="ferag-lease-reaper", daemon=True)
    thread.start()
    return thread
