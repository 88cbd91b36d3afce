"""Sending a cycle's steps to the workers: one chain of immutable signatures, by task name.

Used by upload, retry and rebase alike. The API builds the chain by name and never imports
worker code; a step already done is skipped when its task runs, which is what lets a retried
chain resume at the failed step.
"""

from __future__ import annotations

from celery import Celery, chain

from graphrag_lib.pipeline import STEP_NAMES, steps_from

TASK_NAMESPACE = "ferag.cycle"


def task_name(step: str) -> str:
    return f"{TASK_NAMESPACE}.{step}"


def cycle_chain(celery: Celery, cycle_id: int, start_at: str = STEP_NAMES[0]) -> chain:
    """The chain of the steps from ``start_at`` on, not sent yet."""
    return chain(
        celery.signature(task_name(step), args=(cycle_id,), immutable=True)
        for step in steps_from(start_at)
    )


def enqueue_steps(celery: Celery, cycle_id: int, start_at: str = STEP_NAMES[0]) -> None:
    """Send the steps from ``start_at`` on to the workers."""
    cycle_chain(celery, cycle_id, start_at).apply_async()
