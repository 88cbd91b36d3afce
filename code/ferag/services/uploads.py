"""An upload becomes a cycle: its documents are read one at a time (``iter_upload``), charged
to the user's daily volume and written in bounded batches, all in one transaction, so an
upload is stored whole or not at all and the API holds one document of it at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from ferag.db.models import Cycle, Rag, Task, User
from ferag.errors import FeragError
from ferag.services.cycles import open_cycle
from ferag.services.upload_quota import UploadQuota
from graphrag_lib.documents import (
    DocumentError,
    SourceDocument,
    UploadedFile,
    UploadLimits,
    iter_upload,
)


def store_upload(
    db: Session,
    rag: Rag,
    user: User,
    files: Sequence[UploadedFile],
    dates: Mapping[str, date],
    limits: UploadLimits,
    quota: UploadQuota,
) -> tuple[Cycle, Task]:
    """Open a cycle holding the upload's documents, dated by ``dates`` (path → date) where it
    names them; a refused document refuses the upload (its ``DocumentError`` as a FeragError)
    and refunds what it was charged."""
    try:
        with closing(iter_upload(files, limits)) as documents:
            return open_cycle(db, rag, user, quota.charge(_dated(documents, dates)))
    except DocumentError as exc:
        quota.refund()
        raise FeragError.from_status(exc.status_hint, str(exc), code=exc.code) from exc
    except BaseException:
        quota.refund()
        raise


def _dated(
    documents: Iterator[SourceDocument], dates: Mapping[str, date]
) -> Iterator[SourceDocument]:
    for doc in documents:
        yield replace(doc, date=dates.get(doc.path, doc.date))
