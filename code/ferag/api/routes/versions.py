"""Production versions of a RAG: the list, and rollback to any earlier one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ferag.api.deps import DbDep, RagOwner, RagViewer, SettingsDep, StoreDep
from ferag.api.review_schemas import VersionPublic, VersionsPublic
from ferag.db.models import Version
from ferag.services import versions
from ferag.services.changes import ROLLBACK
from ferag.settings import Settings
from graphrag_lib.vocab import RagIris

router = APIRouter(prefix="/rags/{rag_id}/versions", tags=["versions"])


def rag_iris(settings: Settings, rag_id: int) -> RagIris:
    return RagIris(str(settings.base_iri), str(rag_id))


def version_public(version: Version, email: str | None) -> VersionPublic:
    rollback_to = version.counts.get("rollback_to")
    return VersionPublic(
        number=version.number,
        kind="rollback" if version.kind == ROLLBACK else "approval",
        cycle_id=version.cycle_id,
        rollback_to=None if rollback_to is None else int(rollback_to),
        created_by=version.created_by,
        created_by_email=email,
        created_at=version.created_at,
        counts=version.counts,
    )


@router.get("")
def list_versions(
    access: RagViewer,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> VersionsPublic:
    """Production versions, newest first, and the one production holds now."""
    rows, total, current = versions.list_versions(
        db, store, rag_iris(settings, access.rag.id), access.rag.id, offset, limit
    )
    return VersionsPublic(
        data=[version_public(v, email) for v, email in rows], count=total, current=current
    )


@router.post("/{number}/rollback")
def rollback_version(
    number: Annotated[int, Path(ge=0, description="The version to return to (0: empty).")],
    access: RagOwner,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
) -> VersionPublic:
    """Return production to version `number` atomically; recorded as a new version, so a
    rollback is undone by rolling back to the version before it."""
    iris = rag_iris(settings, access.rag.id)
    version = versions.rollback(db, store, iris, access.rag.id, number, access.user.id)
    return version_public(version, access.user.email)
