"""``read_upload``: uploaded files → documents, all of them or none."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from graphrag_lib.documents.archives import expand_zip
from graphrag_lib.documents.errors import (
    DocumentError,
    DuplicatePath,
    EmptyDocument,
    FileTooLarge,
    TooManyFiles,
    UploadTooLarge,
)
from graphrag_lib.documents.formats import extract
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.models import SourceDocument, UploadedFile
from graphrag_lib.documents.paths import extension, is_junk, normalise_path, stem
from graphrag_lib.documents.sniff import ARCHIVE_EXTENSIONS, SUPPORTED

logger = logging.getLogger(__name__)

UPLOAD_PATH = "(upload)"  # the path errors about the upload as a whole carry


@dataclass(frozen=True)
class _Pending:
    upload: UploadedFile
    path: str
    data: bytes
    archive: str | None

    @property
    def origin(self) -> str:
        return f"in {self.archive}" if self.archive else "uploaded directly"


def read_upload(files: Sequence[UploadedFile], limits: UploadLimits) -> list[SourceDocument]:
    """Every document of the upload, in upload order (archive members in archive order).

    Expands zips, skips junk, enforces ``limits``, detects formats and encodings and extracts
    text. Raises the first ``DocumentError`` met, before returning anything: an upload is read
    whole or not at all.
    """
    pending = _collect(files, limits)
    if not pending:
        raise EmptyDocument(UPLOAD_PATH, "the upload contains no documents", f"Attach {SUPPORTED}")
    documents = [_read(item, limits) for item in pending]
    logger.info(
        "read %d documents (%d bytes) from %d uploaded files",
        len(documents), sum(doc.size for doc in documents), len(files),
    )  # fmt: skip
    return documents


def _collect(files: Sequence[UploadedFile], limits: UploadLimits) -> list[_Pending]:
    pending: list[_Pending] = []
    seen: dict[str, _Pending] = {}
    total = 0
    for upload in files:
        for item in _expand(upload, limits):
            if (first := seen.get(item.path)) is not None:
                raise DuplicatePath(
                    item.path,
                    f"two files have this path ({first.origin} and {item.origin})",
                    "Rename or remove one of them",
                )
            seen[item.path] = item
            pending.append(item)
            total += len(item.data)
            _check_upload_totals(item, len(pending), total, limits)
    return pending


def _expand(upload: UploadedFile, limits: UploadLimits) -> list[_Pending]:
    path = normalise_path(upload.name, limits.max_path_depth)
    if is_junk(path):
        return []
    if extension(path) in ARCHIVE_EXTENSIONS:
        if len(upload.data) > limits.max_total_bytes:
            raise UploadTooLarge(
                path,
                f"the archive is {len(upload.data)} bytes, more than the upload limit of "
                f"{limits.max_total_bytes}",
                "Split it into several uploads",
            )
        members = expand_zip(path, upload.data, limits)
        return [_Pending(upload, member.path, member.data, path) for member in members]
    if len(upload.data) > limits.max_file_bytes:
        raise FileTooLarge(
            path,
            f"the file is {len(upload.data)} bytes, more than the limit of {limits.max_file_bytes}",
            "Split it into smaller files",
        )
    return [_Pending(upload, path, upload.data, None)]


def _check_upload_totals(item: _Pending, count: int, total: int, limits: UploadLimits) -> None:
    if count > limits.max_files:
        raise TooManyFiles(
            item.path,
            f"the upload holds more than {limits.max_files} documents",
            "Split it into several uploads",
            archive=item.archive,
        )
    if total > limits.max_total_bytes:
        raise UploadTooLarge(
            item.path,
            f"the documents up to this one add up to {total} bytes, more than the upload limit "
            f"of {limits.max_total_bytes}",
            "Split it into several uploads",
            archive=item.archive,
        )


def _read(item: _Pending, limits: UploadLimits) -> SourceDocument:
    try:
        fmt, found = extract(item.path, item.data, limits)
    except DocumentError as err:
        if item.archive is None:
            raise
        raise err.in_archive(item.archive) from err
    return SourceDocument(
        path=item.path,
        title=found.title or stem(item.path),
        format=fmt,
        text=found.text,
        encoding=found.encoding,
        date=item.upload.date,
        sha256=hashlib.sha256(item.data).hexdigest(),
        size=len(item.data),
        original=item.data,
    )
