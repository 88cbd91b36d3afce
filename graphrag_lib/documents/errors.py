"""Why an upload was refused: one exception per reason, all under ``DocumentError``.

Every error names the offending path and says how to fix the problem. ``status_hint`` is the HTTP
status the API answers with (413 for size and count limits, 422 for everything else) and ``code``
is the stable error code of the API's JSON error shape, so the API maps the whole tree in one line.
"""

from __future__ import annotations

from typing import ClassVar


class DocumentError(Exception):
    """An uploaded file or archive member that cannot become a document.

    ``path`` is the document's path (the POSIX path inside the upload, or inside the archive for an
    archive member); ``archive`` is the uploaded archive that holds it, if any.
    """

    status_hint: ClassVar[int] = 422
    code: ClassVar[str] = "document_error"

    def __init__(self, path: str, problem: str, fix: str, *, archive: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.fix = fix
        self.archive = archive
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.path} (in {self.archive})" if self.archive else self.path
        return f"{where}: {self.problem}. {self.fix}"

    def in_archive(self, archive: str) -> DocumentError:
        """The same error, told where the member came from."""
        return type(self)(self.path, self.problem, self.fix, archive=archive)


class UnsupportedFormat(DocumentError):
    """The extension is not a supported format, or the content is not what the extension says."""

    code = "unsupported_format"


class EmptyDocument(DocumentError):
    """The file (or the whole upload) holds no bytes or no extractable text."""

    code = "empty_document"


class UnreadableDocument(DocumentError):
    """The file claims a supported format but is damaged, encrypted or in an unknown encoding."""

    code = "unreadable_document"


class MixedEncoding(UnreadableDocument):
    """A text file whose lines are in different encodings (UTF-8 and a single-byte one):
    no one decoding reads it, and guessing one would index part of it as mojibake."""

    code = "mixed_encoding"


class UnsafeArchivePath(DocumentError):
    """A path that escapes the upload (``..``, absolute, drive letter), a symlink, or too deep."""

    code = "unsafe_path"


class DuplicatePath(DocumentError):
    """Two files of one upload end up at the same path."""

    code = "duplicate_path"


class FileTooLarge(DocumentError):
    """One document is larger than ``UploadLimits.max_file_bytes``."""

    status_hint = 413
    code = "file_too_large"


class TooManyFiles(DocumentError):
    """The upload holds more documents (or an archive more entries) than the limits allow."""

    status_hint = 413
    code = "too_many_files"


class UploadTooLarge(DocumentError):
    """All documents together are larger than ``UploadLimits.max_total_bytes``."""

    status_hint = 413
    code = "upload_too_large"


class ArchiveTooLarge(DocumentError):
    """An archive expands too far or compresses suspiciously well (a zip bomb)."""

    status_hint = 413
    code = "archive_too_large"
