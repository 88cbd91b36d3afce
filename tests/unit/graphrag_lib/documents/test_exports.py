"""The public surface of graphrag_lib.documents is what its __init__ exports, and no more."""

from __future__ import annotations

import graphrag_lib.documents as documents


def test_exported_members() -> None:
    assert sorted(documents.__all__) == [
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
    for name in documents.__all__:
        assert getattr(documents, name).__module__.startswith("graphrag_lib.documents")


def test_every_exported_error_is_drawn_in_the_package_docstring() -> None:
    errors = [name for name in documents.__all__ if isinstance(getattr(documents, name), type)]
    errors = [name for name in errors if issubclass(getattr(documents, name), Exception)]
    assert documents.__doc__ is not None
    for name in errors:
        assert name in documents.__doc__
