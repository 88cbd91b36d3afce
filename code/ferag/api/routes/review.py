"""Reviewing a cycle's change set: the diff, then approve, reject or rebase it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ferag.api.deps import (
    CeleryDep,
    DbDep,
    RagEditor,
    RagOwner,
    RagViewer,
    RedisDep,
    SettingsDep,
    StoreDep,
    cycle_public,
    rag_iris,
)
from ferag.api.openapi import raises
from ferag.api.params import CycleId, Offset
from ferag.api.schemas import ApprovalRequest, CyclePublic, VersionPublic
from ferag.events.publisher import announce
from ferag.services import approval, cycles, diff
from ferag.services.diff_models import CycleDiffPublic, DiffSection

router = APIRouter(prefix="/rags/{rag_id}", tags=["review"])


@router.get("/cycles/{cycle_id}/diff")
@raises(404, 409)
def read_cycle_diff(
    cycle_id: CycleId,
    access: RagViewer,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    section: Annotated[
        DiffSection | None, Query(description="Page one section; all of them when omitted.")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CycleDiffPublic:
    """What approving the cycle would change: entities, relations and ontology terms added,
    changed and removed, with the passages behind them; counts are always complete."""
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    return diff.cycle_diff(store, rag_iris(settings, access.rag.id), cycle, section, offset, limit)


@router.post("/cycles/{cycle_id}/approve")
@raises(404, 409, 422)
def approve_cycle(
    cycle_id: CycleId,
    access: RagOwner,
    db: DbDep,
    store: StoreDep,
    redis: RedisDep,
    settings: SettingsDep,
    body: ApprovalRequest | None = None,
) -> VersionPublic:
    """Apply the change set to production atomically as a new version; 409 `cycle_stale` if
    production moved since the change set was computed (rebase it, then approve again), 409
    `consistency_violations` naming them if the consistency gate found violations, unless the
    body is `{"override": true, "reason": "…"}` (the reason is kept on the version)."""
    iris = rag_iris(settings, access.rag.id)
    reason = (body.reason or "") if body is not None and body.override else None
    version, event = approval.approve_cycle(
        db, store, iris, access.rag.id, cycle_id, access.user.id, reason
    )
    if event is not None:
        announce(redis, event)
    return VersionPublic.of(version, access.user.email)


@router.post("/cycles/{cycle_id}/reject")
@raises(404, 409)
def reject_cycle(
    cycle_id: CycleId,
    access: RagOwner,
    db: DbDep,
    store: StoreDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> CyclePublic:
    """Discard the cycle's change set; production is not touched."""
    iris = rag_iris(settings, access.rag.id)
    announce(redis, approval.reject_cycle(db, store, iris, access.rag.id, cycle_id))
    return cycle_public(db, access.rag.id, cycle_id)


@router.post("/cycles/{cycle_id}/rebase", status_code=status.HTTP_202_ACCEPTED)
@raises(404, 409)
def rebase_cycle(
    cycle_id: CycleId,
    access: RagEditor,
    db: DbDep,
    store: StoreDep,
    celery: CeleryDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> CyclePublic:
    """Merge a stale cycle again against current production (only merge and staging run);
    follow it on the cycle's task, then review the new diff."""
    iris = rag_iris(settings, access.rag.id)
    event = approval.rebase_cycle(db, store, celery, iris, access.rag.id, cycle_id)
    announce(redis, event)
    return cycle_public(db, access.rag.id, cycle_id)
