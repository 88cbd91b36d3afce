"""Path normalisation and the junk that is skipped rather than refused."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import UnsafeArchivePath
from graphrag_lib.documents.paths import extension, is_junk, normalise_path


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("reports/2024/q1.txt", "reports/2024/q1.txt"),
        ("./reports//2024/./q1.txt", "reports/2024/q1.txt"),
        ("reports\\2024\\q1.txt", "reports/2024/q1.txt"),
        ("Отчёты/квартал.txt", "Отчёты/квартал.txt"),
        ("Cafe\u0301.txt", "Café.txt"),  # macOS writes decomposed (NFD) names
    ],
)
def test_paths_are_normalised_but_complete(raw: str, clean: str) -> None:
    assert normalise_path(raw, max_depth=10) == clean


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("../evil.txt", "climbs out"),
        ("docs/../../evil.txt", "climbs out"),
        ("..\\evil.txt", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("\\\\server\\share\\x.txt", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("c:evil.txt", "absolute"),
        ("docs/evil\x00.txt", "control characters"),
        ("./", "no file name"),
    ],
)
def test_unsafe_paths_are_refused(raw: str, problem: str) -> None:
    with pytest.raises(UnsafeArchivePath, match=problem) as caught:
        normalise_path(raw, max_depth=10)
    assert "relative paths" in caught.value.fix


def test_depth_limit_counts_folders_above_the_file() -> None:
    assert normalise_path("a/b/c.txt", max_depth=2) == "a/b/c.txt"
    with pytest.raises(UnsafeArchivePath, match="3 folders deep, more than the limit of 2"):
        normalise_path("a/b/c/d.txt", max_depth=2)


@pytest.mark.parametrize(
    "path",
    [
        "__MACOSX/docs/._a.txt",
        "docs/.DS_Store",
        ".hidden.txt",
        "docs/.git/config",
        "docs/~$report.docx",
        "docs/Thumbs.db",
        "desktop.ini",
    ],
)
def test_junk(path: str) -> None:
    assert is_junk(path)


@pytest.mark.parametrize("path", ["docs/a.txt", "docs/notes.v2.md", "a_b/c~d.txt"])
def test_not_junk(path: str) -> None:
    assert not is_junk(path)


def test_extension_is_lower_case() -> None:
    assert extension("Reports/Q1.TXT") == ".txt"
    assert extension("README") == ""
