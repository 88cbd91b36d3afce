"""Uploads open update cycles; cycles are listed, inspected, retried and cancelled here."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select

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
from ferag.cycle.chain import enqueue_steps
from ferag.db.models import Cycle
from ferag.errors import FeragError, InvalidInput, PayloadTooLarge
from ferag.events.publisher import announce
from ferag.services import cycles
from ferag.settings import Settings
from graphrag_lib.documents import DocumentError, UploadedFile, UploadLimits, read_upload

router = APIRouter(prefix="/rags/{rag_id}", tags=["cycles"])

_DATES = TypeAdapter(dict[str, date])


@raises(413)
def check_upload_size(request: Request, settings: SettingsDep) -> None:
    """Refuse an oversized request before reading its body."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"the upload is {int(length):,} bytes; the limit is {settings.max_upload_bytes:,} "
            "(FERAG_MAX_UPLOAD_BYTES): split it into several uploads",
            code="upload_too_large",
        )


def _parse_dates(raw: str | None) -> dict[str, date]:
    if not raw:
        return {}
    try:
        return _DATES.validate_python(json.loads(raw))
    except (ValueError, ValidationError):
        raise InvalidInput(
            "`dates` must be a JSON object of path → ISO date, e.g. "
            '{"reports/q1.txt": "2024-03-31"}',
            code="invalid_dates",
        ) from None


def _limits(settings: Settings) -> UploadLimits:
    expanded = settings.max_archive_expanded_bytes
    return UploadLimits(
        max_files=settings.max_upload_files,
        max_file_bytes=expanded,
        max_total_bytes=expanded,
        max_archive_expanded_bytes=expanded,
    )


@router.post(
    "/upload", status_code=status.HTTP_202_ACCEPTED, dependencies=[Depends(check_upload_size)]
)
@raises(400, 413, 422)
async def upload_documents(
    access: RagEditor,
    db: DbDep,
    settings: SettingsDep,
    celery: CeleryDep,
    files: Annotated[list[UploadFile], File(description="Documents, or zips of folder trees.")],
    dates: Annotated[str | None, Form(description='JSON {"path": "YYYY-MM-DD"}')] = None,
    date_all: Annotated[
        date | None, Form(alias="date", description="Date of every document.")
    ] = None,
) -> UploadAccepted:
    """Store the documents and start an update cycle; answers at once with its ids."""
    per_path = _parse_dates(dates)
    uploaded = [
        UploadedFile(name=f.filename or "upload", data=await f.read(), date=date_all) for f in files
    ]
    try:
        documents = await asyncio.to_thread(read_upload, uploaded, _limits(settings))
    except DocumentError as exc:
        raise FeragError.from_status(exc.status_hint, str(exc), code=exc.code) from exc
    documents = [replace(doc, date=per_path.get(doc.path, doc.date)) for doc in documents]
    cycle, task = await asyncio.to_thread(cycles.open_cycle, db, access.rag, access.user, documents)
    enqueue_steps(celery, cycle.id)
    return UploadAccepted(cycle_id=cycle.id, task_id=task.id, documents=len(documents))


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
