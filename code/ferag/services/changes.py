"""Changes to a RAG's production: the lock, applying one change, recording it, recovery.

A *change* (an approval or a rollback) moves production from version ``n`` to ``n + 1``:

1. lock the RAG row (``SELECT … FOR UPDATE``), so changes of one RAG run one at a time, and
   bring the database up to the version the store says production holds (``lock_production``);
2. apply the change's steps and the new version marker in one guarded SPARQL Update
   (``ferag.store.versions``): the store is the record of which version production holds;
3. record the version row, the cycle's new status and the chat entity index in the same
   database transaction, and commit.

A crash between 2 and 3 leaves the store one version ahead; the next ``lock_production``
replays step 3 from the record the marker carries. See ``docs/approval.md``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.db.models import Cycle, Rag, TaskStatus, Version
from ferag.errors import Conflict, NotFound
from ferag.events import history
from ferag.events.history import EventDraft
from ferag.events.schemas import TaskEventPublic
from ferag.services.cycles import current_version, cycle_task
from ferag.services.entity_index import refresh_entities
from ferag.store.client import StoreError, store_errors
from ferag.store.space import RagSpace
from ferag.store.versions import (
    ChangeStep,
    apply_steps,
    count_triples,
    entity_subjects,
    read_marker,
)

logger = logging.getLogger(__name__)

APPROVAL = "approval"
ROLLBACK = "rollback"
REVIEW_STEP = "review"
MERGE_STATS = (
    "entities_added", "entities_changed", "relations_added", "relations_changed",
    "aliases_added", "descriptions_merged", "ontology_terms_added",
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One approval or rollback; its ``record`` travels with the marker in the store."""

    number: int
    kind: str
    created_by: int | None
    steps: tuple[ChangeStep, ...]
    cycle_id: int | None = None
    rollback_to: int | None = None
    override_reason: str | None = None  # an owner's reason to approve despite gate violations
    op: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def record(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "number": self.number,
            "kind": self.kind,
            "created_by": self.created_by,
            "cycle_id": self.cycle_id,
            "rollback_to": self.rollback_to,
            "override_reason": self.override_reason,
            "at": self.at,
            "steps": [[s.insert, s.delete] for s in self.steps],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Change:
        return cls(
            number=int(record["number"]),
            kind=str(record["kind"]),
            created_by=record.get("created_by"),
            steps=tuple(ChangeStep(insert=i, delete=d) for i, d in record["steps"]),
            cycle_id=record.get("cycle_id"),
            rollback_to=record.get("rollback_to"),
            override_reason=record.get("override_reason"),
            op=str(record["op"]),
            at=str(record.get("at", "")),
        )


def cycle_step(space: RagSpace, cycle_id: int) -> ChangeStep:
    """A cycle's change set as a step: delete ``cycle/{id}/remove``, insert ``cycle/{id}/add``."""
    return ChangeStep(
        insert=space.cycle_graph(cycle_id, "add"), delete=space.cycle_graph(cycle_id, "remove")
    )


# --- locking and recovery -------------------------------------------------------------------


def _lock_rag(db: Session, rag_id: int) -> None:
    if db.scalar(select(Rag.id).where(Rag.id == rag_id).with_for_update()) is None:
        raise NotFound(f"RAG {rag_id} does not exist", code="rag_not_found")


def lock_production(db: Session, space: RagSpace) -> int:
    """Lock the RAG for a change and return production's version, first recording a change
    the store applied but the database never committed (a crash between the two)."""
    rag_id = space.rag_id
    while True:
        _lock_rag(db, rag_id)
        known = current_version(db, rag_id)
        with store_errors("read the production version"):
            marker = read_marker(space)
        if marker.number == known:
            return known
        if marker.number != known + 1:
            raise Conflict(
                f"production of RAG {rag_id} is at version {marker.number} but the database "
                f"knows {known}; the store or the database was restored from different "
                "backups: restore both from the same point",
                code="production_out_of_sync",
            )
        change = Change.from_record(marker.record)
        logger.warning(
            "rag %s: recording version %s (%s), applied to the store before an interruption",
            rag_id,
            change.number,
            change.kind,
        )
        record_change(db, space, change)
        db.commit()


# --- applying and recording -----------------------------------------------------------------


def commit_change(
    db: Session,
    space: RagSpace,
    change: Change,
    *,
    trim: Sequence[ChangeStep] = (),
) -> tuple[Version, TaskEventPublic | None]:
    """Apply ``change`` to the store (production must be at ``change.number - 1``, under
    ``lock_production``), then record it in the caller's transaction; the caller commits."""
    failure: StoreError | None = None
    try:
        apply_steps(
            space, change.steps, expected=change.number - 1, record=change.record(), trim=trim
        )
    except StoreError as exc:
        failure = exc
    with store_errors("confirm the new production version"):
        marker = read_marker(space)
    if marker.number != change.number or marker.record.get("op") != change.op:
        db.rollback()
        if failure is not None:
            raise failure.during(
                f"apply version {change.number}",
                "production is unchanged (if the store completes it later, the next approval, "
                "rollback or version listing records it)",
            )
        raise Conflict(
            f"production of RAG {space.rag_id} changed while version {change.number} was "
            "applied; nothing was changed, retry",
            code="production_moved",
        )
    return record_change(db, space, change)


def record_change(
    db: Session, space: RagSpace, change: Change
) -> tuple[Version, TaskEventPublic | None]:
    """The database side of an applied change: version row, cycle statuses, entity index."""
    graphs = [g for step in change.steps for g in (step.insert, step.delete)]
    applied = (
        f"version {change.number} is in production and is recorded by the next approval, "
        "rollback or version listing"
    )
    with store_errors("read the applied change", applied):
        counts = _counts(db, space, change)
        changed = entity_subjects(space, graphs)
        refresh_entities(db, space, changed)
    rag_id = space.rag_id
    version = Version(
        rag_id=rag_id,
        number=change.number,
        kind=change.kind,
        cycle_id=change.cycle_id,
        created_by=change.created_by,
        counts=counts,
        override_reason=change.override_reason,
    )
    db.add(version)
    event = _approve_cycle_row(db, change) if change.kind == APPROVAL else None
    db.flush()
    lifecycle.mark_outdated_stale(db, rag_id, change.number)
    logger.info("rag %s: version %s (%s) recorded: %s", rag_id, change.number, change.kind, counts)
    return version, event


def _counts(db: Session, space: RagSpace, change: Change) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "triples_added": sum(count_triples(space, s.insert) for s in change.steps),
        "triples_removed": sum(count_triples(space, s.delete) for s in change.steps),
    }
    if change.kind == ROLLBACK:
        counts |= {"rollback_to": change.rollback_to, "steps": len(change.steps)}
    elif change.cycle_id is not None and (cycle := db.get(Cycle, change.cycle_id)):
        merge = cycle.stats.get("merge", {})
        counts |= {key: merge[key] for key in MERGE_STATS if key in merge}
    return counts


def _approve_cycle_row(db: Session, change: Change) -> TaskEventPublic | None:
    cycle = db.get(Cycle, change.cycle_id, with_for_update=True) if change.cycle_id else None
    if cycle is None:
        return None
    lifecycle.approve(cycle)
    draft = EventDraft(
        REVIEW_STEP,
        TaskStatus.done,
        message=f"cycle {cycle.id} approved: production is now version {change.number}",
        data={"decision": "approved", "version": change.number},
    )
    return history.append_event(db, cycle_task(db, cycle).id, draft)
