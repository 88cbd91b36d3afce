"""Production versions of a RAG: the list, and rollback to any earlier one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ferag.api.deps import DbDep, RagOwner, RagViewer, SettingsDep, StoreDep, rag_iris
from ferag.api.openapi import raises
from ferag.api.params import Offset, VersionNumber
from ferag.api.schemas import VersionPublic, VersionsPublic
from ferag.services import versions

router = APIRouter(prefix="/rags/{rag_id}/versions", tags=["versions"])


@router.get("")
def list_versions(
    access: RagViewer,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> VersionsPublic:
    """Production versions, newest first, and the one production holds now."""
    rows, total, current = versions.list_versions(
        db, store, rag_iris(settings, access.rag.id), access.rag.id, offset, limit
    )
    return VersionsPublic(
        data=[VersionPublic.of(v, email) for v, email in rows], count=total, current=current
    )


@router.post("/{number}/rollback")
@raises(404, 409)
def rollback_version(
    number: VersionNumber,
    access: RagOwner,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
) -> VersionPublic:
    """Return production to version `number` atomically; recorded as a new version, so a
    rollback is undone by rolling back to the version before it."""
    iris = rag_iris(settings, access.rag.id)
    version = versions.rollback(db, store, iris, access.rag.id, number, access.user.id)
    return VersionPublic.of(version, access.user.email)
