"""A cycle's state: the transition table and the only functions that change it.

::

    pending ──claim──► running ──finish last step──► review ──approve──► approved
       ▲                 │  │                          │  ▲
       └──retry── failed ◄┘  └──cancel──► cancelled    │  └──rebase── stale ◄── production moved
                                                       └──reject──► rejected

Every status a cycle takes is written here (``_move`` checks it against ``TRANSITIONS``), and
so is the per-step record (``StepRecord``, kept as JSON in ``cycles.steps``). Callers lock the
cycle's row and commit; a refused move raises ``Conflict`` with a code that says which.

A running step holds a **lease**: the Celery task that claimed it (``cycles.celery_task_id``)
and a time (``StepRecord.lease_until``) its worker keeps pushing forward (``renew_lease``).
While the lease is live nobody else claims the step (``is_step_held``); once it has run out
(the worker died), ``lapsed_leases`` finds the step and ``release_step`` frees it for the task
the reaper puts back on the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ferag.db.models import Cycle, CycleStatus
from ferag.errors import Conflict

S = CycleStatus
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class Transition:
    sources: frozenset[CycleStatus]
    target: CycleStatus
    code: str  # the Conflict code when the cycle is in none of ``sources``
    only: str  # completes "cycle 7 is approved; …"


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(frozenset({S.pending, S.running}), S.running,
                        "cycle_not_runnable", "only pending or running cycles run steps"),
    "review": Transition(frozenset({S.running}), S.review,
                         "cycle_not_running", "only a running cycle goes to review"),
    "fail": Transition(frozenset({S.pending, S.running}), S.failed,
                       "cycle_not_running", "only a running cycle fails"),
    "retry": Transition(frozenset({S.failed}), S.pending,
                        "cycle_not_failed", "only failed cycles are retried"),
    "cancel": Transition(frozenset({S.pending, S.running, S.failed}), S.cancelled,
                         "cycle_not_active",
                         "only running, pending or failed cycles are cancelled"),
    "stale": Transition(frozenset({S.review, S.stale}), S.stale,
                        "cycle_not_in_review", "only a cycle in review becomes stale"),
    "approve": Transition(frozenset({S.review, S.stale}), S.approved,
                          "cycle_not_in_review", "only a cycle in review is approved"),
    "reject": Transition(frozenset({S.review, S.stale, S.failed}), S.rejected,
                         "cycle_not_rejectable", "only a cycle in review, stale or failed is "
                         "rejected (cancel a running one instead)"),
    "rebase": Transition(frozenset({S.stale, S.review}), S.running,
                         "cycle_not_rebasable",
                         "only a stale cycle (or one in review) is rebased"),
}  # fmt: skip
ACTIVE = frozenset({S.pending, S.running})


def check(cycle: Cycle, action: str) -> None:
    """Raise the ``Conflict`` of ``action`` unless the cycle may take it now."""
    transition = TRANSITIONS[action]
    if cycle.status not in transition.sources:
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; {transition.only}", code=transition.code
        )


def can(cycle: Cycle, action: str) -> bool:
    return cycle.status in TRANSITIONS[action].sources


def _move(cycle: Cycle, action: str) -> None:
    check(cycle, action)
    cycle.status = TRANSITIONS[action].target


# --- steps ------------------------------------------------------------------------------------


class StepRecord(BaseModel):
    """One step of a cycle as ``GET /rags/{id}/cycles/{cid}`` shows it."""

    status: Literal["running", "done", "failed"]
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stats: dict[str, Any] = Field(default_factory=dict)
    warnings: list[str] = Field(
        default_factory=list, description="What a reviewer should know, e.g. ontology fallbacks."
    )
    error: str | None = None
    worker: str | None = Field(
        None,
        description="The Celery worker (name@host) that ran the step; none for steps the API "
        "ran itself (an owner's merge).",
    )
    lease_until: datetime | None = Field(
        None,
        description="Running steps: until when the worker running it holds it. A step whose "
        "lease ran out (its worker died) is put back on the queue.",
    )


def step_records(cycle: Cycle) -> dict[str, StepRecord]:
    return {name: StepRecord.model_validate(raw) for name, raw in cycle.steps.items()}


def _put_step(cycle: Cycle, step: str, record: StepRecord) -> None:
    # A new dict, so SQLAlchemy sees the JSONB column change.
    cycle.steps = {**cycle.steps, step: record.model_dump(mode="json", exclude_none=True)}


def _now() -> datetime:
    return datetime.now(UTC)


def is_step_done(cycle: Cycle, step: str) -> bool:
    return bool(cycle.steps.get(step, {}).get("status") == "done")


def done_stats(cycle: Cycle) -> dict[str, dict[str, Any]]:
    """Stats of the steps done so far, by step."""
    return {name: r.stats for name, r in step_records(cycle).items() if r.status == "done"}


def warnings(cycle: Cycle) -> list[tuple[str, str]]:
    """``(step, warning)`` of every step, in step-record order."""
    return [(name, w) for name, r in step_records(cycle).items() for w in r.warnings]


def claim_step(
    cycle: Cycle,
    step: str,
    celery_task_id: str | None,
    *,
    lease_s: float | None = None,
    worker: str | None = None,
) -> None:
    """The step starts running (again) on ``worker``, held by ``celery_task_id`` for
    ``lease_s`` seconds (None: no lease, as if it had run out)."""
    _move(cycle, "claim")
    cycle.celery_task_id = celery_task_id
    lease_until = _now() + timedelta(seconds=lease_s) if lease_s is not None else None
    record = StepRecord(status="running", started_at=_now(), lease_until=lease_until, worker=worker)
    _put_step(cycle, step, record)


def _ended(cycle: Cycle, step: str, **fields: Any) -> StepRecord:
    """The record of a step that ended, keeping when and where it started."""
    claimed = cycle.steps.get(step, {})
    return StepRecord(
        started_at=claimed.get("started_at"),
        worker=claimed.get("worker"),
        finished_at=_now(),
        **fields,
    )


# --- leases -------------------------------------------------------------------------------------


def _running_record(cycle: Cycle, step: str) -> StepRecord | None:
    raw = cycle.steps.get(step)
    if raw is None or raw.get("status") != "running":
        return None
    return StepRecord.model_validate(raw)


def _lease_is_live(record: StepRecord, now: datetime) -> bool:
    return record.lease_until is not None and record.lease_until > now


def is_step_held(cycle: Cycle, step: str, now: datetime | None = None) -> bool:
    """Whether a task holds the step now: it runs, was claimed, and its lease is live."""
    record = _running_record(cycle, step)
    return (
        record is not None
        and cycle.celery_task_id is not None
        and _lease_is_live(record, now or _now())
    )


def renew_lease(cycle: Cycle, step: str, celery_task_id: str | None, lease_s: float) -> bool:
    """Push the lease of a step its task still holds ``lease_s`` seconds ahead. False (nothing
    written) when the task no longer holds it: the step was released, finished or failed, or
    the cycle is no longer running."""
    record = _running_record(cycle, step)
    if record is None or cycle.status is not S.running or cycle.celery_task_id != celery_task_id:
        return False
    renewed = record.model_copy(update={"lease_until": _now() + timedelta(seconds=lease_s)})
    _put_step(cycle, step, renewed)
    return True


def release_step(cycle: Cycle, step: str, lease_s: float) -> None:
    """Nobody holds the running step any more (its worker died, or it waits for a retry); the
    task that runs it next may claim it. The new lease is the time that task has to do so
    before the step counts as lost again."""
    record = _running_record(cycle, step)
    if record is None:
        return
    cycle.celery_task_id = None
    _put_step(
        cycle, step, record.model_copy(update={"lease_until": _now() + timedelta(seconds=lease_s)})
    )


def lapsed_step(cycle: Cycle, now: datetime | None = None) -> str | None:
    """The step of a running cycle whose lease has run out, if any."""
    if cycle.status is not S.running:
        return None
    moment = now or _now()
    for step in cycle.steps:
        record = _running_record(cycle, step)
        if record is not None and not _lease_is_live(record, moment):
            return step
    return None


def lapsed_leases(db: Session, now: datetime | None = None) -> list[tuple[Cycle, str]]:
    """Running cycles (locked; rows another transaction holds are skipped) with the step whose
    lease has run out."""
    running = db.scalars(
        select(Cycle).where(Cycle.status == S.running).with_for_update(skip_locked=True)
    ).all()
    found = ((cycle, lapsed_step(cycle, now)) for cycle in running)
    return [(cycle, step) for cycle, step in found if step is not None]


def finish_step(
    cycle: Cycle, step: str, stats: dict[str, Any], warnings: tuple[str, ...], *, last: bool
) -> bool:
    """Record the step done; after the last one a running cycle waits for review. Returns
    whether it does now (a cycle cancelled meanwhile stays cancelled)."""
    _put_step(cycle, step, _ended(cycle, step, status="done", stats=stats, warnings=[*warnings]))
    cycle.stats = {**cycle.stats, step: stats}
    if last and cycle.status is S.running:
        _move(cycle, "review")
        return True
    return False


def fail_step(cycle: Cycle, step: str, reason: str) -> bool:
    """Record the step failed and the cycle with it; False (and nothing written) when the cycle
    was cancelled or closed meanwhile: its last step's failure does not reopen it."""
    if cycle.status not in TRANSITIONS["fail"].sources:
        return False
    record = _ended(cycle, step, status="failed", error=reason[:MAX_ERROR_CHARS])
    _move(cycle, "fail")
    cycle.failed_step = step
    cycle.error = reason[:MAX_ERROR_CHARS]
    _put_step(cycle, step, record)
    return True


# --- decisions --------------------------------------------------------------------------------


def retry(cycle: Cycle) -> None:
    """A failed cycle is pending again; its done steps stay done and are skipped."""
    _move(cycle, "retry")
    if cycle.failed_step:
        cycle.steps = {k: v for k, v in cycle.steps.items() if k != cycle.failed_step}
    cycle.error = None


def cancel(cycle: Cycle) -> None:
    _move(cycle, "cancel")


def cancel_active(db: Session, rag_id: int) -> list[Cycle]:
    """Cancel the RAG's pending and running cycles (locked); returns them."""
    active = db.scalars(
        select(Cycle).where(Cycle.rag_id == rag_id, Cycle.status.in_(ACTIVE)).with_for_update()
    ).all()
    for cycle in active:
        cancel(cycle)
    return list(active)


def approve(cycle: Cycle) -> None:
    _move(cycle, "approve")


def reject(cycle: Cycle) -> None:
    _move(cycle, "reject")


def mark_stale(cycle: Cycle) -> None:
    _move(cycle, "stale")


def mark_outdated_stale(db: Session, rag_id: int, version: int) -> None:
    """Cycles in review computed on a version before ``version`` can no longer be approved as
    they are (the ``review → stale`` move, for many cycles in one statement)."""
    db.execute(
        update(Cycle)
        .where(Cycle.rag_id == rag_id, Cycle.status == S.review, Cycle.base_version < version)
        .values(status=TRANSITIONS["stale"].target)
    )


def rebase(cycle: Cycle, base_version: int, steps: tuple[str, ...]) -> None:
    """Run ``steps`` again on production version ``base_version``."""
    _move(cycle, "rebase")
    cycle.steps = {k: v for k, v in cycle.steps.items() if k not in steps}
    cycle.base_version = base_version
