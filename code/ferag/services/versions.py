"""Production versions of a RAG: the list, and rollback to any earlier version.

Each version's production is a list of approved cycles applied in order (an approval appends
its cycle to the previous version's list; a rollback restores an earlier version's list), so
the steps from any version to any other are "undo the cycles the target lacks, newest first,
then redo the ones it has": exact, because every cycle's change set was exact for the state it
was approved on. See ``docs/approval.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ferag.db.models import User, Version
from ferag.errors import Conflict, NotFound
from ferag.services.changes import (
    ROLLBACK,
    Change,
    commit_change,
    cycle_step,
    lock_production,
)
from ferag.services.cycles import current_version
from ferag.store.client import TripleStore, store_errors
from ferag.store.space import RagSpace
from ferag.store.versions import ChangeStep, read_marker
from graphrag_lib.vocab import RagIris

logger = logging.getLogger(__name__)


def list_versions(
    db: Session, store: TripleStore, iris: RagIris, rag_id: int, offset: int, limit: int
) -> tuple[list[tuple[Version, str | None]], int, int]:
    """Versions newest first with their authors' e-mails, the total, and the current number.

    Takes the production lock only when the store is ahead of the database (a change being
    committed right now, or one interrupted before its commit, which is then recorded)."""
    space = RagSpace(store, rag_id, iris)
    current = current_version(db, rag_id)
    with store_errors("read the production version"):
        behind = read_marker(space).number != current
    if behind:
        current = lock_production(db, space)
        db.commit()
    rows = db.execute(
        select(Version, User.email)
        .outerjoin(User, User.id == Version.created_by)
        .where(Version.rag_id == rag_id)
        .order_by(Version.number.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    total = db.scalar(select(func.count()).where(Version.rag_id == rag_id)) or 0
    return [(version, email) for version, email in rows], total, current


def production_states(versions: Sequence[Version]) -> dict[int, list[int]]:
    """Each version's production as the approved cycles it holds, in the order applied."""
    states: dict[int, list[int]] = {0: []}
    for version in sorted(versions, key=lambda v: v.number):
        if version.kind == ROLLBACK:
            states[version.number] = states[int(version.counts["rollback_to"])]
        else:
            before = states[version.number - 1]
            states[version.number] = [*before, *([version.cycle_id] if version.cycle_id else [])]
    return states


def steps_between(space: RagSpace, source: list[int], target: list[int]) -> list[ChangeStep]:
    """Undo the cycles of ``source`` after the common prefix (newest first), redo ``target``'s."""
    common = 0
    while common < min(len(source), len(target)) and source[common] == target[common]:
        common += 1
    undo = [cycle_step(space, c).inverse() for c in reversed(source[common:])]
    return undo + [cycle_step(space, c) for c in target[common:]]


def rollback(
    db: Session, store: TripleStore, iris: RagIris, rag_id: int, target: int, user_id: int
) -> Version:
    """Return production to version ``target`` atomically, as a new version (undoable)."""
    space = RagSpace(store, rag_id, iris)
    current = lock_production(db, space)
    if not 0 <= target <= current:
        raise NotFound(
            f"RAG {rag_id} has versions 0 to {current}; there is no version {target}",
            code="version_not_found",
        )
    if target == current:
        raise Conflict(
            f"production is already at version {target}; pick an earlier version",
            code="already_at_version",
        )
    versions = db.scalars(select(Version).where(Version.rag_id == rag_id)).all()
    states = production_states(versions)
    steps = steps_between(space, states[current], states[target])
    change = Change(current + 1, ROLLBACK, user_id, tuple(steps), rollback_to=target)
    version, _ = commit_change(db, space, change)
    db.commit()
    logger.info("rag %s rolled back to version %s as version %s", rag_id, target, version.number)
    return version
