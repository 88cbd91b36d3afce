"""documents: an upload (files, folders, zips) → ``SourceDocument``s, or one clear refusal.

``read_upload(files, limits)`` expands zips, skips junk, checks every limit and extracts text from
txt, md, html, pdf, docx, json and csv; it raises before returning anything, so the caller stores
all documents of an upload or none. ``extract_text(name, data)`` reads one file.

Text encodings are detected (BOMs, UTF-8, UTF-16, Windows-1251 vs KOI8-R by Russian letter
statistics, charset-normalizer for the rest); see ``encodings`` and ``cyrillic``. Paths are the
POSIX paths inside the upload (inside the archive for zip members), normalised but complete.
Nested zips are refused, not expanded. Limits arrive as ``UploadLimits``; nothing here reads the
environment or imports FastAPI, Celery, SQLAlchemy or Redis.

Errors (every one has ``.path``, ``.archive``, a message saying how to fix it, ``status_hint``
for the HTTP answer and a stable ``code``)::

    DocumentError                    422
    ├── UnsupportedFormat            422  extension not supported, or content contradicts it
    ├── EmptyDocument                422  0 bytes, no extractable text, or an empty upload
    ├── UnreadableDocument           422  damaged, encrypted, or in no recognisable encoding
    ├── UnsafeArchivePath            422  '..', absolute path, drive letter, symlink, too deep
    ├── DuplicatePath                422  two files end up at one path
    ├── FileTooLarge                 413  one document over max_file_bytes
    ├── TooManyFiles                 413  over max_files documents / max_archive_entries entries
    ├── UploadTooLarge               413  all documents together over max_total_bytes
    └── ArchiveTooLarge              413  zip bomb: expands too far or compresses too well
"""

from graphrag_lib.documents.errors import (
    ArchiveTooLarge,
    DocumentError,
    DuplicatePath,
    EmptyDocument,
    FileTooLarge,
    TooManyFiles,
    UnreadableDocument,
    UnsafeArchivePath,
    UnsupportedFormat,
    UploadTooLarge,
)
from graphrag_lib.documents.formats import extract_text
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.models import SourceDocument, UploadedFile
from graphrag_lib.documents.upload import read_upload

__all__ = [
    "ArchiveTooLarge",
    "DocumentError",
    "DuplicatePath",
    "EmptyDocument",
    "FileTooLarge",
    "SourceDocument",
    "TooManyFiles",
    "UnreadableDocument",
    "UnsafeArchivePath",
    "UnsupportedFormat",
    "UploadLimits",
    "UploadTooLarge",
    "UploadedFile",
    "extract_text",
    "read_upload",
]
