"""Celery tasks of the update cycle, one per step: ``ferag.cycle.<step>``.

Each task takes the cycle id, re-reads the cycle, skips a step that is already done, runs the
step's adapter from ``ferag.worker.steps`` and records the outcome with progress events. Named,
transient errors (model server, triple store, database or Redis away) are retried with backoff;
anything else fails the cycle with the step and a readable reason, and stops the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import Task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from celery.utils.log import get_task_logger
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from ferag.db.models import Cycle, CycleStatus, TaskStatus
from ferag.events.progress import ProgressReporter
from ferag.events.publisher import publish_event
from ferag.services.cycles import CYCLE_STEPS, PIPELINE, cycle_task
from ferag.store.client import StoreUnavailable
from ferag.worker.app import app, settings
from ferag.worker.runtime import WorkerRuntime, runtime
from ferag.worker.steps import STEPS, StepContext
from graphrag_lib.llm import LlmUnavailable

logger = get_task_logger(__name__)

TRANSIENT = (LlmUnavailable, StoreUnavailable, OperationalError, RedisConnectionError)
STEP_OPTIONS: dict[str, Any] = {
    "bind": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": settings.step_retry_backoff_s,
    "retry_backoff_max": 300,
    "max_retries": settings.step_max_retries,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@app.task(name="ferag.cycle.index", **STEP_OPTIONS)
def index(self: Task, cycle_id: int) -> None:
    run_step(self, cycle_id, "index")


@app.task(name="ferag.cycle.to_rdf", **STEP_OPTIONS)
def to_rdf(self: Task, cycle_id: int) -> None:
    run_step(self, cycle_id, "to_rdf")


@app.task(name="ferag.cycle.schema", **STEP_OPTIONS)
def schema(self: Task, cycle_id: int) -> None:
    run_step(self, cycle_id, "schema")


@app.task(name="ferag.cycle.merge", **STEP_OPTIONS)
def merge(self: Task, cycle_id: int) -> None:
    run_step(self, cycle_id, "merge")


@app.task(name="ferag.cycle.staging", **STEP_OPTIONS)
def staging(self: Task, cycle_id: int) -> None:
    run_step(self, cycle_id, "staging")


def run_step(task: Task, cycle_id: int, step: str) -> None:
    rt = runtime()
    claimed = _claim(rt, task, cycle_id, step)
    if claimed is None:
        return
    rag_id, task_id = claimed
    reporter = ProgressReporter(
        rt.session_factory,
        rt.redis,
        task_id,
        step,
        min_interval_s=rt.settings.progress_min_interval_s,
    )
    if step == CYCLE_STEPS[0] and task.request.retries == 0:
        publish_event(
            rt.session_factory,
            rt.redis,
            task_id,
            PIPELINE,
            TaskStatus.running,
            message=f"cycle {cycle_id} started",
        )
    reporter.start()
    logger.info("cycle %s step %s started", cycle_id, step)
    try:
        stats = STEPS[step](StepContext(rt, rag_id, cycle_id, reporter))
    except TRANSIENT as exc:
        if task.request.retries < task.max_retries:
            reporter.advance(0, None, f"retrying after: {exc}", {"retry": task.request.retries + 1})
            raise
        _fail(rt, cycle_id, step, task_id, reporter, exc)
        raise
    except SoftTimeLimitExceeded as exc:
        _fail(
            rt,
            cycle_id,
            step,
            task_id,
            reporter,
            exc,
            reason="the step hit its time limit "
            "(FERAG_STEP_TIME_LIMIT_S); raise it for slow models and retry",
        )
        raise
    except Exception as exc:
        _fail(rt, cycle_id, step, task_id, reporter, exc)
        raise
    _finish(rt, cycle_id, step, task_id, reporter, stats)


def _claim(rt: WorkerRuntime, task: Task, cycle_id: int, step: str) -> tuple[int, Any] | None:
    """Mark the step running; None if the cycle is gone or the step is already done."""
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None:
            logger.warning("cycle %s no longer exists; step %s skipped", cycle_id, step)
            return None
        if cycle.status in (CycleStatus.cancelled, CycleStatus.rejected):
            raise Ignore()  # stops the chain: nothing after a cancelled cycle runs
        if cycle.steps.get(step, {}).get("status") == "done":
            logger.info("cycle %s step %s already done; skipped", cycle_id, step)
            return None
        task_row = cycle_task(db, cycle)
        cycle.status = CycleStatus.running
        cycle.celery_task_id = task.request.id
        cycle.steps = {**cycle.steps, step: {"status": "running", "started_at": _now()}}
        db.commit()
        return cycle.rag_id, task_row.id


def _finish(
    rt: WorkerRuntime,
    cycle_id: int,
    step: str,
    task_id: Any,
    reporter: ProgressReporter,
    stats: dict[str, Any],
) -> None:
    is_last = step == CYCLE_STEPS[-1]
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None:
            return
        record = {
            **cycle.steps.get(step, {}),
            "status": "done",
            "finished_at": _now(),
            "stats": stats,
        }
        cycle.steps = {**cycle.steps, step: record}
        cycle.stats = {**cycle.stats, step: stats}
        if is_last and cycle.status is CycleStatus.running:
            cycle.status = CycleStatus.review
        db.commit()
    reporter.done(stats)
    logger.info("cycle %s step %s done: %s", cycle_id, step, stats)
    if is_last:
        publish_event(
            rt.session_factory,
            rt.redis,
            task_id,
            PIPELINE,
            TaskStatus.done,
            progress=1.0,
            message=f"cycle {cycle_id} is ready for review",
        )


def _fail(
    rt: WorkerRuntime,
    cycle_id: int,
    step: str,
    task_id: Any,
    reporter: ProgressReporter,
    exc: BaseException,
    reason: str | None = None,
) -> None:
    reason = reason or f"{type(exc).__name__}: {exc}"
    logger.error("cycle %s step %s failed: %s", cycle_id, step, reason)
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None or cycle.status is CycleStatus.cancelled:
            return  # a cancelled cycle stays cancelled, whatever its last step did
        cycle.status = CycleStatus.failed
        cycle.failed_step = step
        cycle.error = reason[:4000]
        cycle.steps = {
            **cycle.steps,
            step: {
                **cycle.steps.get(step, {}),
                "status": "failed",
                "finished_at": _now(),
                "error": reason[:4000],
            },
        }
        db.commit()
    reporter.failed(reason)
    publish_event(
        rt.session_factory,
        rt.redis,
        task_id,
        PIPELINE,
        TaskStatus.failed,
        message=f"step {step} failed; fix the cause and retry the cycle",
        error=reason,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
