"""documents: an upload (files, folders, zips) → ``SourceDocument``s, or one clear refusal.

``read_upload(files, limits)`` expands zips, skips junk, checks every limit and extracts text from
txt, md, html, pdf, docx, json and csv; it raises before returning anything, so the caller stores
all documents of an upload or none. ``iter_upload(files, limits)`` yields the same documents one
at a time (memory holds one document, not the upload) after every check that needs no
decompression has passed; its caller stores them in one transaction. Uploaded files may be bytes
or seekable binary files. ``extract_text(name, data)`` reads one file.

Dates: ``SourceDocument.document_date()`` gives a document's date (a ``PartialDate``: year,
month or day) with its source, by precedence: the upload's date, the document's metadata
(``metadata_date``: HTML meta, DOCX core properties, PDF info), a date in its path or file name
(``date_in_path``).

Text encodings are detected (BOMs, UTF-8, UTF-16, Windows-1251 vs KOI8-R by Russian letter
statistics, charset-normalizer for the rest); see ``encodings`` and ``cyrillic``. A text file
that mixes UTF-8 lines with lines in another encoding is refused (``MixedEncoding``), not
decoded. Paths are the POSIX paths inside the upload (inside the archive for zip members),
normalised but complete. Nested zips are refused, not expanded. Limits arrive as
``UploadLimits``; nothing here reads the environment or imports FastAPI, Celery, SQLAlchemy or
Redis.

Errors (every one has ``.path``, ``.archive``, a message saying how to fix it, ``status_hint``
for the HTTP answer and a stable ``code``)::

    DocumentError                    422
    ├── UnsupportedFormat            422  extension not supported, or content contradicts it
    ├── EmptyDocument                422  0 bytes, no extractable text, or an empty upload
    ├── UnreadableDocument           422  damaged, encrypted, or in no recognisable encoding
    │   └── MixedEncoding            422  UTF-8 lines mixed with lines in another encoding
    ├── UnsafeArchivePath            422  '..', absolute path, drive letter, symlink, too deep
    ├── DuplicatePath                422  two files end up at one path
    ├── FileTooLarge                 413  one document over max_file_bytes
    ├── TooManyFiles                 413  over max_files documents / max_archive_entries entries
    ├── UploadTooLarge               413  all documents together over max_total_bytes
    └── ArchiveTooLarge              413  zip bomb: expands too far or compresses too well
"""

from graphrag_lib.documents.dates import DocumentDate, PartialDate, date_in_path
from graphrag_lib.documents.errors import (
    ArchiveTooLarge,
    DocumentError,
    DuplicatePath,
    EmptyDocument,
    FileTooLarge,
    MixedEncoding,
    TooManyFiles,
    UnreadableDocument,
    UnsafeArchivePath,
    UnsupportedFormat,
    UploadTooLarge,
)
from graphrag_lib.documents.formats import extract_text
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.metadata_dates import metadata_date
from graphrag_lib.documents.models import SourceDocument, UploadedFile
from graphrag_lib.documents.upload import iter_upload, read_upload

__all__ = [
    "ArchiveTooLarge",
    "DocumentDate",
    "DocumentError",
    "DuplicatePath",
    "EmptyDocument",
    "FileTooLarge",
    "MixedEncoding",
    "PartialDate",
    "SourceDocument",
    "TooManyFiles",
    "UnreadableDocument",
    "UnsafeArchivePath",
    "UnsupportedFormat",
    "UploadLimits",
    "UploadTooLarge",
    "UploadedFile",
    "date_in_path",
    "extract_text",
    "iter_upload",
    "metadata_date",
    "read_upload",
]
