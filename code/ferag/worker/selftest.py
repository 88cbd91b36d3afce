"""``ferag.selftest.run``: a synthetic pipeline that emits realistic progress events.

It exercises the whole event path (publisher → PostgreSQL → Redis → API → sockets) through a
real worker without documents or a model: tests drive it, and operators can enqueue it to check
a deployment's live progress end to end.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from functools import cache

from celery.utils.log import get_task_logger
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from ferag.db.engine import make_engine, make_session_factory
from ferag.events.progress import ProgressReporter
from ferag.events.schemas import PIPELINE_STEP
from ferag.settings import get_settings
from ferag.worker.app import app
from graphrag_lib.pipeline import STEP_NAMES

logger = get_task_logger(__name__)

DEFAULT_STEPS = STEP_NAMES


@cache
def _clients() -> tuple[sessionmaker[Session], Redis]:
    """Created on first use, in the worker's child process (after Celery forks)."""
    settings = get_settings()
    engine = make_engine(settings.require("database_url"))
    redis = Redis.from_url(settings.require("redis_url"), socket_timeout=5)
    return make_session_factory(engine), redis


def _reporter(task_id: uuid.UUID, step: str) -> ProgressReporter:
    return ProgressReporter(*_clients(), task_id, step, min_interval_s=0)


@app.task(name="ferag.selftest.run")
def run(
    task_id: str,
    steps: Sequence[str] = DEFAULT_STEPS,
    delay_s: float = 0.05,
    chunks: int = 4,
    fail_step: str | None = None,
) -> int:
    """Emit the events of a pipeline over ``steps``, each advancing through ``chunks`` units
    ``delay_s`` apart; ``fail_step`` fails there. Returns the last ``seq`` published."""
    target = uuid.UUID(task_id)
    pipeline = _reporter(target, PIPELINE_STEP)
    pipeline.start("self-test started", {"steps": list(steps)})
    for number, step in enumerate(steps, start=1):
        reporter = _reporter(target, step)
        if not _run_step(reporter, chunks, delay_s, fails=step == fail_step):
            return pipeline.failed(f"step {step} failed (self-test)").seq
        pipeline.advance(number, len(steps), f"{step} done", {"step": step})
    logger.info("self-test of task %s finished", task_id)
    return pipeline.done(message="self-test finished").seq


def _run_step(reporter: ProgressReporter, chunks: int, delay_s: float, *, fails: bool) -> bool:
    reporter.start(f"{reporter.step} started", {"workflow": f"selftest_{reporter.step}"})
    for done in range(1, chunks + 1):
        time.sleep(delay_s)
        if fails and done > chunks // 2:
            reporter.failed("SelfTestFailure: requested by fail_step")
            return False
        reporter.advance(
            done, chunks, f"chunk {done} of {chunks}", {"workflow": f"selftest_{reporter.step}"}
        )
    reporter.done({"chunks": chunks}, f"{reporter.step} finished")
    return True
