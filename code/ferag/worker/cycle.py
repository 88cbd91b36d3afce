"""Celery tasks of the update cycle, one per step of ``graphrag_lib.pipeline.STEPS``, named
``ferag.cycle.<step>``.

Each task takes the cycle id, re-reads the cycle, skips a step that is already done, runs the
step on the service's storage (``ferag.cycle.storage``) and records the outcome through
``ferag.cycle.lifecycle``, with progress events. Named, transient errors (model server, triple
store, database or Redis away) are retried with backoff; anything else fails the cycle with the
step and a readable reason, and stops the chain.

While a step runs, its task holds the step's lease and renews it (``ferag.worker.leases``); a
copy of the task that arrives meanwhile (the broker redelivering, the lease reaper) finds the
step held and stops its chain, so a step never runs twice at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from celery import Task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from celery.utils.log import get_task_logger
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from ferag.cycle import lifecycle
from ferag.cycle.chain import task_name
from ferag.cycle.configs import StageConfigs, cycle_stage_configs
from ferag.cycle.storage import ServiceStorage
from ferag.db.models import Cycle, CycleStatus, TaskStatus
from ferag.events.progress import ProgressReporter
from ferag.events.publisher import publish_event
from ferag.logs import bind
from ferag.services import diff
from ferag.services.cycles import PIPELINE, cycle_task
from ferag.store.client import StoreUnavailable
from ferag.worker.app import app, settings
from ferag.worker.leases import LeaseKeeper, release
from ferag.worker.observe import (
    GRAPHRAG_METRICS_STORE,
    observe_llm_call,
    observed_step,
    register_graphrag_metrics,
)
from ferag.worker.runtime import WorkerRuntime, runtime
from graphrag_lib.llm import LlmUnavailable, OpenAILikeChat
from graphrag_lib.pipeline import STEP_NAMES, STEPS, CycleRun, StepOutcome, step_named

logger = get_task_logger(__name__)

TRANSIENT = (LlmUnavailable, StoreUnavailable, OperationalError, RedisConnectionError)
CLOSED = (CycleStatus.cancelled, CycleStatus.rejected, CycleStatus.approved)
TIME_LIMIT_REASON = (
    "the step hit its time limit (FERAG_STEP_TIME_LIMIT_S); raise it for slow models and retry"
)


def _register(step: str) -> Task:
    def run(self: Task, cycle_id: int) -> None:
        with observed_step(self, cycle_id, step, TRANSIENT):
            run_step(self, cycle_id, step)

    run.__name__ = run.__qualname__ = step
    task: Task = app.task(
        name=task_name(step),
        bind=True,
        autoretry_for=TRANSIENT,
        retry_backoff=settings.step_retry_backoff_s,
        retry_backoff_max=300,
        max_retries=settings.step_max_retries,
        acks_late=True,
        reject_on_worker_lost=True,
    )(run)
    return task


TASKS: dict[str, Task] = {step.name: _register(step.name) for step in STEPS}
register_graphrag_metrics()


@dataclass(frozen=True)
class Claim:
    rag_id: int
    task_id: uuid.UUID
    earlier: dict[str, dict[str, Any]]  # stats of the steps already done
    base_version: int  # the production version the cycle is computed on


def run_step(task: Task, cycle_id: int, step: str) -> None:
    rt = runtime()
    claim = _claim(rt, task, cycle_id, step)
    if claim is None:
        return
    bind(rag_id=claim.rag_id, task_id=str(claim.task_id))
    reporter = ProgressReporter(
        rt.session_factory,
        rt.redis,
        claim.task_id,
        step,
        min_interval_s=rt.settings.progress_min_interval_s,
    )
    if step == STEP_NAMES[0] and task.request.retries == 0:
        _pipeline_event(rt, claim.task_id, TaskStatus.running, f"cycle {cycle_id} started")
    reporter.start()
    logger.info("cycle %s step %s started", cycle_id, step)
    lease_s = rt.settings.step_lease_s
    try:
        with LeaseKeeper(rt.session_factory, cycle_id, step, task.request.id, lease_s):
            configs = _stage_configs(rt, claim.rag_id, cycle_id)
            outcome = step_named(step).run(_cycle_run(rt, cycle_id, claim, configs, reporter))
            if step == STEP_NAMES[-1]:  # the reviewer's counts, read once (services.diff)
                counts = diff.change_set_counts(rt.space(claim.rag_id), cycle_id)
                outcome = replace(outcome, stats={**outcome.stats, diff.COUNTS: counts})
        if step == STEP_NAMES[0]:  # the cycle's language is decided (and reported) here
            outcome = replace(outcome, stats={**outcome.stats, **configs.stats})
    except TRANSIENT as exc:
        if task.request.retries < task.max_retries:
            reporter.advance(0, None, f"retrying after: {exc}", {"retry": task.request.retries + 1})
            release(rt.session_factory, cycle_id, step, lease_s)  # the retry claims it again
            raise
        _fail(rt, cycle_id, step, claim.task_id, reporter, f"{type(exc).__name__}: {exc}")
        raise
    except SoftTimeLimitExceeded:
        _fail(rt, cycle_id, step, claim.task_id, reporter, TIME_LIMIT_REASON)
        raise
    except Exception as exc:
        _fail(rt, cycle_id, step, claim.task_id, reporter, f"{type(exc).__name__}: {exc}")
        raise
    _finish(rt, cycle_id, step, claim.task_id, reporter, outcome)


def _stage_configs(rt: WorkerRuntime, rag_id: int, cycle_id: int) -> StageConfigs:
    with rt.session_factory() as db:
        return cycle_stage_configs(db, rt.settings, rag_id, cycle_id)


def _cycle_run(
    rt: WorkerRuntime,
    cycle_id: int,
    claim: Claim,
    configs: StageConfigs,
    reporter: ProgressReporter,
) -> CycleRun:
    space = rt.space(claim.rag_id)
    endpoint = rt.llm_endpoint
    return CycleRun(
        storage=ServiceStorage(rt.session_factory, space, cycle_id, rt.settings.home),
        iris=space.iris,
        index=configs.index_config(endpoint, rt.settings.home / "cache", GRAPHRAG_METRICS_STORE),
        schema=configs.schema,
        merge=configs.merge,
        chat=lambda: OpenAILikeChat(endpoint, observer=observe_llm_call),
        progress=reporter,
        earlier=claim.earlier,
        version=claim.base_version + 1,  # what approving the cycle makes
        gate=configs.gate,
    )


def _claim(rt: WorkerRuntime, task: Task, cycle_id: int, step: str) -> Claim | None:
    """Mark the step running; None if the cycle is gone or the step is already done."""
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None:
            logger.warning("cycle %s no longer exists; step %s skipped", cycle_id, step)
            return None
        if cycle.status in CLOSED:
            raise Ignore()  # stops the chain: nothing after a closed cycle runs
        if lifecycle.is_step_done(cycle, step):
            logger.info("cycle %s step %s already done; skipped", cycle_id, step)
            return None
        if not lifecycle.can(cycle, "claim"):
            logger.warning("cycle %s is %s; step %s not run", cycle_id, cycle.status, step)
            raise Ignore()
        if lifecycle.is_step_held(cycle, step):
            # Another task runs it (this is a redelivered or requeued copy): its chain goes on.
            logger.warning(
                "cycle %s step %s is held by task %s; this copy stops",
                cycle_id,
                step,
                cycle.celery_task_id,
            )
            raise Ignore()
        lifecycle.claim_step(
            cycle,
            step,
            task.request.id,
            lease_s=rt.settings.step_lease_s,
            worker=task.request.hostname,
        )
        claim = Claim(cycle.rag_id, cycle_task(db, cycle).id, lifecycle.done_stats(cycle),
                      cycle.base_version)  # fmt: skip
        db.commit()
        return claim


def _finish(
    rt: WorkerRuntime,
    cycle_id: int,
    step: str,
    task_id: uuid.UUID,
    reporter: ProgressReporter,
    outcome: StepOutcome,
) -> None:
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None:
            return
        last = step == STEP_NAMES[-1]
        in_review = lifecycle.finish_step(cycle, step, outcome.stats, outcome.warnings, last=last)
        db.commit()
    warned = {"warnings": list(outcome.warnings)} if outcome.warnings else {}
    reporter.done({**outcome.stats, **warned})
    for warning in outcome.warnings:
        logger.warning("cycle %s step %s: %s", cycle_id, step, warning)
    logger.info("cycle %s step %s done: %s", cycle_id, step, outcome.stats)
    if in_review:
        message = f"cycle {cycle_id} is ready for review"
        _pipeline_event(rt, task_id, TaskStatus.done, message, progress=1.0)


def _fail(
    rt: WorkerRuntime,
    cycle_id: int,
    step: str,
    task_id: uuid.UUID,
    reporter: ProgressReporter,
    reason: str,
) -> None:
    logger.error("cycle %s step %s failed: %s", cycle_id, step, reason)
    with rt.session_factory() as db:
        cycle = db.get(Cycle, cycle_id, with_for_update=True)
        if cycle is None or not lifecycle.fail_step(cycle, step, reason):
            return  # a cancelled cycle stays cancelled, whatever its last step did
        db.commit()
    reporter.failed(reason)
    message = f"step {step} failed; fix the cause and retry the cycle"
    _pipeline_event(rt, task_id, TaskStatus.failed, message, error=reason)


def _pipeline_event(
    rt: WorkerRuntime, task_id: uuid.UUID, status: TaskStatus, message: str, **fields: Any
) -> None:
    """An event of the cycle as a whole (step ``pipeline``)."""
    publish_event(
        rt.session_factory, rt.redis, task_id, PIPELINE, status, message=message, **fields
    )
