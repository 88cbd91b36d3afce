"""Review decisions on a cycle's change set: approve, reject, rebase.

Approval is optimistic: a change set computed on production version ``v`` is applied only
while production is still at ``v``; otherwise the cycle becomes ``stale`` and ``rebase`` re-runs
just its merge (and staging) against current production. Every decision first takes the RAG's
production lock (``versions.lock_production``), so decisions of one RAG run one at a time and
never act on a cycle whose interrupted approval has not been recorded yet.
"""

from __future__ import annotations

import logging

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import Cycle, CycleKind, CycleStatus, TaskStatus, Version
from ferag.errors import Conflict, InvalidInput, NotFound
from ferag.events import history
from ferag.events.history import EventDraft
from ferag.events.schemas import TaskEventPublic
from ferag.services import production_merges
from ferag.services.changes import (
    APPROVAL,
    REVIEW_STEP,
    Change,
    commit_change,
    cycle_step,
    lock_production,
)
from ferag.services.cycles import PIPELINE, cycle_task
from ferag.store.client import StoreError, TripleStore, store_errors
from ferag.store.cycles import cycle_violations, drop_cycle_graphs
from ferag.store.space import RagSpace
from ferag.store.versions import is_exact
from graphrag_lib.pipeline import steps_from
from graphrag_lib.vocab import RagIris

logger = logging.getLogger(__name__)

REBASE_FROM = "merge"


def locked_cycle(db: Session, rag_id: int, cycle_id: int) -> Cycle:
    """The cycle's row, locked for a decision (``NotFound`` if the RAG has no such cycle)."""
    cycle = db.scalar(
        select(Cycle)
        .where(Cycle.id == cycle_id, Cycle.rag_id == rag_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # the row as locked, not as seen earlier
    )
    if cycle is None:
        raise NotFound(f"RAG {rag_id} has no cycle {cycle_id}", code="cycle_not_found")
    return cycle


def _stale(cycle: Cycle, current: int) -> Conflict:
    return Conflict(
        f"cycle {cycle.id}'s change set was computed on production version "
        f"{cycle.base_version}, but production is now at version {current}: rebase it "
        f"(POST /rags/{cycle.rag_id}/cycles/{cycle.id}/rebase), review the new diff and "
        "approve again",
        code="cycle_stale",
    )


def approve_cycle(
    db: Session,
    store: TripleStore,
    iris: RagIris,
    rag_id: int,
    cycle_id: int,
    user_id: int,
    override_reason: str | None = None,
) -> tuple[Version, TaskEventPublic | None]:
    """Apply the cycle's change set to production as the next version (one SPARQL Update).

    Raises ``Conflict`` ``cycle_stale`` (and marks the cycle stale) if production moved since
    the change set was computed, ``cycle_not_in_review`` if the cycle is not waiting for review,
    ``consistency_violations`` if the gate found violations and no ``override_reason`` is given
    (the reason is then recorded on the version).
    """
    if override_reason is not None and not override_reason.strip():
        raise InvalidInput(
            'an override needs a reason: send {"override": true, "reason": "why"}',
            code="override_reason_required",
        )
    space = RagSpace(store, rag_id, iris)
    current = lock_production(db, space)
    cycle = locked_cycle(db, rag_id, cycle_id)
    lifecycle.check(cycle, "approve")
    if cycle.status is CycleStatus.stale or cycle.base_version != current:
        lifecycle.mark_stale(cycle)
        db.commit()
        raise _stale(cycle, current)
    if override_reason is None:
        _refuse_violations(space, cycle)
    step = cycle_step(space, cycle.id)
    with store_errors("check the change set"):
        exact = is_exact(space, step)
    if not exact:
        logger.warning("cycle %s: change set not exact for production; trimming it", cycle.id)
    change = Change(
        current + 1, APPROVAL, user_id, (step,), cycle_id=cycle.id, override_reason=override_reason
    )
    version, event = commit_change(db, space, change, trim=() if exact else (step,))
    db.commit()
    logger.info("cycle %s approved as version %s of rag %s", cycle.id, version.number, rag_id)
    return version, event


def _refuse_violations(space: RagSpace, cycle: Cycle) -> None:
    """``Conflict`` ``consistency_violations`` naming them, if the gate found any."""
    count = int(cycle.stats.get("staging", {}).get("violations", 0) or 0)
    if not count:
        return
    with store_errors("read the consistency gate's violations"):
        found = [v for v in cycle_violations(space, cycle.id) if v.severity == "Violation"]
    named = "; ".join(
        f"{v.focus_label or v.focus}: {v.message}" + (f" ({v.value})" if v.value else "")
        for v in found[:5]
    )
    more = f" and {count - 5} more" if count > 5 else ""
    raise Conflict(
        f"the consistency gate found {count} violation{'s' * (count != 1)} in cycle "
        f"{cycle.id}: {named}{more}. Review them in the diff (section violations); fix them "
        "with a new upload, or approve anyway as the owner with "
        '{"override": true, "reason": "…"}',
        code="consistency_violations",
        details=[{"focus": v.focus, "path": v.path, "message": v.message} for v in found[:20]],
    )


def reject_cycle(
    db: Session, store: TripleStore, iris: RagIris, rag_id: int, cycle_id: int
) -> TaskEventPublic:
    """Mark the cycle rejected and drop its graphs (after the commit: a cycle is never left in
    review without its change set)."""
    space = RagSpace(store, rag_id, iris)
    lock_production(db, space)
    cycle = locked_cycle(db, rag_id, cycle_id)
    lifecycle.reject(cycle)
    draft = EventDraft(
        REVIEW_STEP,
        TaskStatus.done,
        message=f"cycle {cycle.id} rejected: its change set was discarded",
        data={"decision": "rejected"},
    )
    event = history.append_event(db, cycle_task(db, cycle).id, draft)
    db.commit()
    _drop_cycle_graphs(space, cycle.id)
    return event


def _drop_cycle_graphs(space: RagSpace, cycle_id: int) -> None:
    try:
        drop_cycle_graphs(space, cycle_id)
    except StoreError as exc:  # the cycle is rejected; leftover graphs are only wasted space
        logger.warning("graphs of rejected cycle %s were not dropped: %s", cycle_id, exc)


def rebase_cycle(
    db: Session, store: TripleStore, celery: Celery, iris: RagIris, rag_id: int, cycle_id: int
) -> TaskEventPublic:
    """Re-run the cycle's merge and staging against current production (an owner's merge
    cycle is recomputed here, in the request: ``production_merges.restage``).

    ``base_version`` becomes the current version now: the merge runs later and reads whatever
    production then holds, which is this version or a newer one. A newer one makes the cycle
    stale again at approval (safe); an approval can never accept a change set computed on a
    version other than its ``base_version``, because versions only grow.
    """
    space = RagSpace(store, rag_id, iris)
    current = lock_production(db, space)
    cycle = locked_cycle(db, rag_id, cycle_id)
    if cycle.kind is CycleKind.production_merge:  # computed here, not by the workers
        event = production_merges.restage(db, space, cycle, current)
        db.commit()
        return event
    event = start_remerge(db, cycle, current, f"merging again onto production version {current}")
    db.commit()
    enqueue_steps(celery, cycle.id, start_at=REBASE_FROM)
    logger.info("cycle %s rebased onto version %s of rag %s", cycle.id, current, rag_id)
    return event


def start_remerge(db: Session, cycle: Cycle, current: int, why: str) -> TaskEventPublic:
    """Put a locked cycle back to running from its merge step on version ``current`` and record
    the event; the caller commits, then sends the steps (``enqueue_steps`` from merge)."""
    lifecycle.rebase(cycle, current, steps_from(REBASE_FROM))
    draft = EventDraft(
        PIPELINE,
        TaskStatus.running,
        message=f"cycle {cycle.id}: {why}",
        data={"rebase": True, "base_version": current},
    )
    return history.append_event(db, cycle_task(db, cycle).id, draft)
