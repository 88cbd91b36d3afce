"""``iter_upload`` and ``read_upload``: uploaded files → documents, all of them or none.

An upload is read in two passes. The first plans it without decompressing anything: paths,
junk, duplicates, formats of archives, entry counts and the sizes archives declare, all checked
against the limits. The second reads one document at a time (one archive member, or one
directly uploaded file), extracts its text and hands it over, so memory holds one document,
not the upload.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Generator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from graphrag_lib.documents.archives import MemberEntry, list_members, open_zip, read_member
from graphrag_lib.documents.errors import (
    ArchiveTooLarge,
    DocumentError,
    DuplicatePath,
    EmptyDocument,
    FileTooLarge,
    TooManyFiles,
    UploadTooLarge,
)
from graphrag_lib.documents.formats import extract
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.metadata_dates import metadata_date
from graphrag_lib.documents.models import SourceDocument, UploadedFile
from graphrag_lib.documents.paths import extension, is_junk, normalise_path, stem
from graphrag_lib.documents.sniff import ARCHIVE_EXTENSIONS, SUPPORTED

logger = logging.getLogger(__name__)

UPLOAD_PATH = "(upload)"  # the path errors about the upload as a whole carry


@dataclass(frozen=True)
class _Planned:
    """One document to read: a directly uploaded file, or a member of an uploaded archive."""

    upload: UploadedFile
    path: str
    size: int  # the file's size, or the size the archive declares for the member
    archive: str | None = None
    zip_file: zipfile.ZipFile | None = None
    member: MemberEntry | None = None

    @property
    def origin(self) -> str:
        return f"in {self.archive}" if self.archive else "uploaded directly"

    def read(self) -> bytes:
        if self.zip_file is None or self.member is None or self.archive is None:
            return self.upload.read()
        return read_member(self.archive, self.zip_file, self.member)


def read_upload(files: Sequence[UploadedFile], limits: UploadLimits) -> list[SourceDocument]:
    """Every document of the upload, in upload order (archive members in archive order).

    Expands zips, skips junk, enforces ``limits``, detects formats and encodings and extracts
    text. Raises the first ``DocumentError`` met, before returning anything: an upload is read
    whole or not at all. Holds every document in memory; ``iter_upload`` holds one at a time.
    """
    return list(iter_upload(files, limits))


def iter_upload(
    files: Sequence[UploadedFile], limits: UploadLimits
) -> Generator[SourceDocument, None, None]:
    """The documents of the upload one at a time, in the order of ``read_upload``.

    Every check that needs no decompression (paths, duplicates, counts, declared sizes,
    compression ratios) has passed before the first document is yielded; a document that turns
    out unreadable, or an archive whose members produce more than they declared, raises its
    ``DocumentError`` when it is reached. A caller that stores documents as they come stores
    them in one transaction and rolls it back on error, so an upload is still kept whole or not
    at all.
    """
    with ExitStack() as archives:
        planned = _plan(files, limits, archives)
        if not planned:
            raise EmptyDocument(
                UPLOAD_PATH, "the upload contains no documents", f"Attach {SUPPORTED}"
            )
        produced = 0
        for item in planned:
            data = item.read()
            produced += len(data)
            _check_produced(item, produced, limits)
            yield _document(item, data, limits)
        logger.info(
            "read %d documents (%d bytes) from %d uploaded files",
            len(planned),
            produced,
            len(files),
        )


def _plan(
    files: Sequence[UploadedFile], limits: UploadLimits, archives: ExitStack
) -> list[_Planned]:
    planned: list[_Planned] = []
    seen: dict[str, _Planned] = {}
    total = 0
    for upload in files:
        for item in _expand(upload, limits, archives):
            if (first := seen.get(item.path)) is not None:
                raise DuplicatePath(
                    item.path,
                    f"two files have this path ({first.origin} and {item.origin})",
                    "Rename or remove one of them",
                )
            seen[item.path] = item
            planned.append(item)
            total += item.size
            _check_upload_totals(item, len(planned), total, limits)
    return planned


def _expand(upload: UploadedFile, limits: UploadLimits, archives: ExitStack) -> list[_Planned]:
    path = normalise_path(upload.name, limits.max_path_depth)
    if is_junk(path):
        return []
    size = upload.size()
    if extension(path) in ARCHIVE_EXTENSIONS:
        if size > limits.max_total_bytes:
            raise UploadTooLarge(
                path,
                f"the archive is {size} bytes, more than the upload limit of "
                f"{limits.max_total_bytes}",
                "Split it into several uploads",
            )
        zip_file = archives.enter_context(open_zip(path, upload.open(), limits))
        return [
            _Planned(upload, entry.path, entry.info.file_size, path, zip_file, entry)
            for entry in list_members(path, zip_file, size, limits)
        ]
    if size > limits.max_file_bytes:
        raise FileTooLarge(
            path,
            f"the file is {size} bytes, more than the limit of {limits.max_file_bytes}",
            "Split it into smaller files",
        )
    return [_Planned(upload, path, size)]


def _check_upload_totals(item: _Planned, count: int, total: int, limits: UploadLimits) -> None:
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


def _check_produced(item: _Planned, produced: int, limits: UploadLimits) -> None:
    """What decompression really produced, against the limits the declared sizes passed (a
    member is already stopped at its declared size; this holds even if that check changes)."""
    if produced > limits.max_total_bytes:
        raise ArchiveTooLarge(
            item.path,
            f"the documents up to this one expand to more than the upload limit of "
            f"{limits.max_total_bytes} bytes",
            "Split it into several uploads",
            archive=item.archive,
        )


def _document(item: _Planned, data: bytes, limits: UploadLimits) -> SourceDocument:
    try:
        fmt, found = extract(item.path, data, limits)
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
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original=data,
        metadata_date=metadata_date(item.path, fmt, data, limits),
    )
