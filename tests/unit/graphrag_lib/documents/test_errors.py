"""The error tree: one base, a status hint and a stable code per class, messages that say how to
fix the problem."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import (
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

TOO_BIG = [FileTooLarge, TooManyFiles, UploadTooLarge, ArchiveTooLarge]
INVALID = [UnsupportedFormat, EmptyDocument, UnreadableDocument, UnsafeArchivePath, DuplicatePath]


@pytest.mark.parametrize("error", TOO_BIG)
def test_size_and_count_limits_hint_413(error: type[DocumentError]) -> None:
    assert issubclass(error, DocumentError)
    assert error.status_hint == 413


@pytest.mark.parametrize("error", INVALID)
def test_other_refusals_hint_422(error: type[DocumentError]) -> None:
    assert issubclass(error, DocumentError)
    assert error.status_hint == 422


def test_codes_are_distinct() -> None:
    codes = [error.code for error in TOO_BIG + INVALID]
    assert len(set(codes)) == len(codes)
    assert DocumentError.code not in codes


def test_message_names_the_path_the_problem_and_the_fix() -> None:
    error = EmptyDocument("reports/q1.txt", "the file is empty", "Leave it out")
    assert str(error) == "reports/q1.txt: the file is empty. Leave it out"
    assert (error.path, error.problem, error.fix, error.archive) == (
        "reports/q1.txt",
        "the file is empty",
        "Leave it out",
        None,
    )


def test_in_archive_keeps_the_class_and_names_the_archive() -> None:
    error = UnsupportedFormat("a/b.exe", "'.exe' files are not supported", "Leave it out")
    moved = error.in_archive("upload.zip")
    assert type(moved) is UnsupportedFormat
    assert moved.path == "a/b.exe" and moved.archive == "upload.zip"
    assert str(moved).startswith("a/b.exe (in upload.zip): ")
