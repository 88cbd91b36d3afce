"""Uploads open update cycles; cycles are listed, inspected, retried and cancelled here."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import func, select

from ferag import metrics
from ferag.api.deps import (
    CeleryDep,
    DbDep,
    RagEditor,
    RagViewer,
    RedisDep,
    SettingsDep,
    cycle_public,
)
from ferag.api.openapi import raises
from ferag.api.params import CycleId, Offset
from ferag.api.schemas import CyclePublic, CyclesPublic, UploadAccepted
from ferag.api.upload_form import UPLOAD_OPENAPI, read_upload_form
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import Cycle
from ferag.errors import FeragError
from ferag.events.publisher import announce
from ferag.services import cycles, uploads
from ferag.services.upload_quota import UploadQuota
from ferag.settings import Settings
from graphrag_lib.documents import UploadedFile, UploadLimits

router = APIRouter(prefix="/rags/{rag_id}", tags=["cycles"])


def _limits(settings: Settings) -> UploadLimits:
    return UploadLimits(
        max_files=settings.max_upload_files,
        max_file_bytes=settings.max_document_bytes,
        max_total_bytes=settings.max_archive_expanded_bytes,
        max_archive_expanded_bytes=settings.max_archive_expanded_bytes,
    )


@router.post("/upload", status_code=status.HTTP_202_ACCEPTED, openapi_extra=UPLOAD_OPENAPI)
@raises(400, 413, 422, 429)
async def upload_documents(
    request: Request,
    access: RagEditor,
    db: DbDep,
    settings: SettingsDep,
    celery: CeleryDep,
    redis: RedisDep,
) -> UploadAccepted:
    """Store the documents and start an update cycle; answers at once with its ids.

    The caller's role and upload limits are checked before the body is read; the body is
    counted as it arrives (``BodyLimit``) and its documents are read and stored one at a time.
    """
    quota = UploadQuota(
        redis,
        access.user.id,
        concurrency=settings.upload_concurrency_per_user,
        daily_bytes=settings.upload_daily_bytes_per_user,
    )
    await asyncio.to_thread(quota.check_day)
    with quota.slot():
        async with read_upload_form(request, settings.max_upload_files) as form:
            files = [UploadedFile(f.filename or "upload", f.file, form.date) for f in form.files]
            size = sum(f.size or 0 for f in form.files)
            try:
                cycle, task = await asyncio.to_thread(
                    uploads.store_upload,
                    db, access.rag, access.user, files, form.dates, _limits(settings), quota,
                )  # fmt: skip
            except FeragError:
                metrics.observe_upload(size, accepted=False)
                raise
            metrics.observe_upload(size, accepted=True)
    enqueue_steps(celery, cycle.id)
    count = cycle.stats["documents"]
    return UploadAccepted(cycle_id=cycle.id, task_id=task.id, documents=count)


@router.get("/cycles")
def list_cycles(
    access: RagViewer,
    db: DbDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CyclesPublic:
    rows = cycles.list_cycles(db, access.rag.id, offset, limit)
    total = db.scalar(select(func.count()).where(Cycle.rag_id == access.rag.id)) or 0
    return CyclesPublic(data=[CyclePublic.of(c, t, n) for c, t, n in rows], count=total)


@router.get("/cycles/{cycle_id}")
@raises(404)
def read_cycle(cycle_id: CycleId, access: RagViewer, db: DbDep) -> CyclePublic:
    return cycle_public(db, access.rag.id, cycle_id)


@router.post("/cycles/{cycle_id}/retry", status_code=status.HTTP_202_ACCEPTED)
@raises(404, 409)
def retry_cycle(cycle_id: CycleId, access: RagEditor, db: DbDep, celery: CeleryDep) -> CyclePublic:
    """Resume a failed cycle at its failed step; finished steps are not repeated."""
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    cycles.retry_cycle(db, celery, cycle)
    return cycle_public(db, access.rag.id, cycle_id)


@router.post("/cycles/{cycle_id}/cancel")
@raises(404, 409)
def cancel_cycle(
    cycle_id: CycleId, access: RagEditor, db: DbDep, celery: CeleryDep, redis: RedisDep
) -> CyclePublic:
    """Stop a pending or running cycle (or give up on a failed one)."""
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    announce(redis, cycles.request_cancel(db, celery, cycle))
    return cycle_public(db, access.rag.id, cycle_id)
