"""What goes into ``read_upload`` and what comes out."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import BinaryIO

from graphrag_lib.documents.dates import DocumentDate, PartialDate, resolve_document_date


@dataclass(frozen=True)
class UploadedFile:
    """One file of a multipart upload.

    ``name`` is the file name the client sent, folders included when a folder was uploaded
    (``reports/2024/q1.txt``); a ``.zip`` is expanded. ``date`` is the document date the user gave;
    every member of an uploaded zip gets its archive's date.

    ``data`` is the file's bytes, or a seekable binary file holding them (the spooled temporary
    file of a multipart upload), so a large upload is read member by member, never held whole.
    """

    name: str
    data: bytes | BinaryIO = field(repr=False)
    date: dt.date | None = None

    def open(self) -> BinaryIO:
        """The file, positioned at its start."""
        file = io.BytesIO(self.data) if isinstance(self.data, bytes) else self.data
        file.seek(0)
        return file

    def size(self) -> int:
        if isinstance(self.data, bytes):
            return len(self.data)
        return self.data.seek(0, io.SEEK_END)

    def read(self) -> bytes:
        """All of the file's bytes (callers check ``size()`` against their limit first)."""
        return self.data if isinstance(self.data, bytes) else self.open().read()


@dataclass(frozen=True)
class SourceDocument:
    """One document read from an upload.

    ``path`` is the normalised POSIX path inside the upload (inside the archive for a zip member)
    and is unique within one upload. ``title`` is the title the document gives itself (HTML
    ``<title>``, first Markdown ``#`` heading, DOCX core title), else the file name without its
    extension. ``encoding`` is the detected text encoding (Python codec name), None for pdf and
    docx. ``sha256`` and ``size`` describe the original bytes (``original``), not the text.
    ``date`` is the date the upload gave; ``metadata_date`` the one the document's metadata
    gives (HTML meta, DOCX core properties, PDF info); ``document_date()`` chooses.
    """

    path: str
    title: str
    format: str
    text: str = field(repr=False)
    encoding: str | None
    date: dt.date | None
    sha256: str
    size: int
    original: bytes = field(default=b"", repr=False, compare=False)
    metadata_date: PartialDate | None = None

    def document_date(self) -> DocumentDate | None:
        """The document's date and its source: upload, then metadata, then path/file name."""
        return resolve_document_date(self.date, self.metadata_date, self.path)
