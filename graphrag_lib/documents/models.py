"""What goes into ``read_upload`` and what comes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UploadedFile:
    """One file of a multipart upload.

    ``name`` is the file name the client sent, folders included when a folder was uploaded
    (``reports/2024/q1.txt``); a ``.zip`` is expanded. ``date`` is the document date the user gave;
    every member of an uploaded zip gets its archive's date.
    """

    name: str
    data: bytes = field(repr=False)
    date: dt.date | None = None


@dataclass(frozen=True)
class SourceDocument:
    """One document read from an upload.

    ``path`` is the normalised POSIX path inside the upload (inside the archive for a zip member)
    and is unique within one upload. ``title`` is the title the document gives itself (HTML
    ``<title>``, first Markdown ``#`` heading, DOCX core title), else the file name without its
    extension. ``encoding`` is the detected text encoding (Python codec name), None for pdf and
    docx. ``sha256`` and ``size`` describe the original bytes (``original``), not the text.
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
