"""A reviewer's resolution decisions: split a merge the cycle proposes, or merge two entities it
kept apart; remembered per RAG and honoured by every later merge (``MergeConfig.decisions``,
loaded by ``ferag.cycle.configs``).

Taking a decision on a cycle in review (or stale) stores it and runs the cycle's merge (and
staging) again, as ``rebase`` does, so its diff shows the decision's effect. A ``split`` is the
verdict ``different``; a ``merge`` is ``same`` with ``a`` the entity that survives. One decision
per RAG and unordered pair: a later one on the same pair replaces the earlier.
"""

from __future__ import annotations

import logging
from typing import Literal

from celery import Celery
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import DECISION_PAIR, CycleKind, ResolutionDecisionRow
from ferag.errors import Conflict, InvalidInput, NotFound
from ferag.events.schemas import TaskEventPublic
from ferag.services.approval import REBASE_FROM, locked_cycle, start_remerge
from ferag.services.changes import lock_production
from ferag.store.space import RagSpace
from graphrag_lib.merge.production_merge import is_entity_iri
from graphrag_lib.vocab import RagIris

logger = logging.getLogger(__name__)

Action = Literal["split", "merge"]
VERDICTS: dict[Action, Literal["same", "different"]] = {"split": "different", "merge": "same"}


def check_pair(iris: RagIris, a: str, b: str) -> None:
    """``InvalidInput`` unless ``a`` and ``b`` are two different entity IRIs of the RAG."""
    for field, value in (("a", a), ("b", b)):
        if not is_entity_iri(iris, value):
            raise InvalidInput(
                f"{field} = {value!r} is not an entity IRI of this RAG; use the `iri` of an "
                f"entity or merge record of this RAG's diff (they start with {iris.prefix}entity/)",
                code="not_an_entity",
                details=[{"field": field, "value": value}],
            )
    if a == b:
        raise InvalidInput("a and b name the same entity; name two entities", code="same_entity")


def _upsert(db: Session, rag_id: int, values: dict[str, object]) -> ResolutionDecisionRow:
    inserted = insert(ResolutionDecisionRow).values(rag_id=rag_id, **values)
    upsert = inserted.on_conflict_do_update(
        index_elements=list(DECISION_PAIR),
        set_={**values, "created_at": inserted.excluded.created_at},
    ).returning(ResolutionDecisionRow)
    row: ResolutionDecisionRow = db.scalars(
        upsert, execution_options={"populate_existing": True}
    ).one()
    return row


def decide(
    db: Session,
    celery: Celery,
    space: RagSpace,
    cycle_id: int,
    user_id: int,
    decision: tuple[Action, str, str, str],
) -> tuple[ResolutionDecisionRow, TaskEventPublic]:
    """Store ``(action, a, b, reason)`` for the RAG and run the cycle's merge again.

    ``InvalidInput`` for IRIs that are not two of the RAG's entities; ``Conflict`` unless the
    cycle is an upload cycle in review or stale."""
    action, a, b, reason = decision
    check_pair(space.iris, a, b)
    current = lock_production(db, space)
    cycle = locked_cycle(db, space.rag_id, cycle_id)
    if cycle.kind is CycleKind.production_merge:
        raise Conflict(
            f"cycle {cycle.id} is an owner's merge of production entities; reject it instead "
            "of splitting it",
            code="cycle_not_remergeable",
        )
    if not lifecycle.can(cycle, "rebase"):
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; decisions are taken on a cycle in "
            "review or stale",
            code="cycle_not_in_review",
        )
    values = {"a": a, "b": b, "verdict": VERDICTS[action], "reason": reason,
              "user_id": user_id, "cycle_id": cycle.id}  # fmt: skip
    row = _upsert(db, space.rag_id, values)
    event = start_remerge(db, cycle, current, f"merging again after a decision to {action} {a} "
                          f"and {b}")  # fmt: skip
    db.commit()
    enqueue_steps(celery, cycle.id, start_at=REBASE_FROM)
    logger.info("rag %s: %s of %s and %s decided; cycle %s merges again",
                space.rag_id, action, a, b, cycle.id)  # fmt: skip
    return row, event


def list_decisions(
    db: Session, rag_id: int, offset: int, limit: int
) -> tuple[list[ResolutionDecisionRow], int]:
    """The RAG's decisions, newest first, and how many there are."""
    query = select(ResolutionDecisionRow).where(ResolutionDecisionRow.rag_id == rag_id)
    rows = db.scalars(
        query.order_by(ResolutionDecisionRow.id.desc()).offset(offset).limit(limit)
    ).all()
    total = db.scalar(select(func.count()).where(ResolutionDecisionRow.rag_id == rag_id))
    return list(rows), int(total or 0)


def forget_decision(db: Session, rag_id: int, decision_id: int) -> None:
    """Delete one decision; later merges no longer honour it (``NotFound`` if there is none)."""
    deleted = db.execute(
        delete(ResolutionDecisionRow)
        .where(ResolutionDecisionRow.rag_id == rag_id, ResolutionDecisionRow.id == decision_id)
        .returning(ResolutionDecisionRow.id)
    ).first()
    if deleted is None:
        raise NotFound(f"RAG {rag_id} has no decision {decision_id}", code="decision_not_found")
    db.commit()
