"""Document paths: POSIX, relative, inside the upload, NFC; and which files are junk to skip."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from graphrag_lib.documents.errors import UnsafeArchivePath

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JUNK_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
_FIX = "Upload the files with plain relative paths (folder/sub/file.txt)"


def normalise_path(raw: str, max_depth: int) -> str:
    """``raw`` as a clean relative POSIX path, or ``UnsafeArchivePath``.

    Backslashes count as separators (Windows archivers write them), ``.`` and empty parts are
    dropped; ``..``, absolute paths, drive letters and control characters are refused, and so are
    more than ``max_depth`` folders above the file.
    """
    path = unicodedata.normalize("NFC", raw).replace("\\", "/")
    if _CONTROL.search(path):
        raise UnsafeArchivePath(repr(raw), "the path contains control characters", _FIX)
    if path.startswith("/") or _DRIVE.match(path):
        raise UnsafeArchivePath(raw, "the path is absolute", _FIX)
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchivePath(raw, "the path climbs out of its folder with '..'", _FIX)
    if not parts:
        raise UnsafeArchivePath(raw, "the path has no file name", _FIX)
    clean = "/".join(parts)
    if len(parts) - 1 > max_depth:
        raise UnsafeArchivePath(
            clean,
            f"the file sits {len(parts) - 1} folders deep, more than the limit of {max_depth}",
            "Move it into a shallower folder",
        )
    return clean


def is_junk(path: str) -> bool:
    """macOS resource forks, Finder/Explorer metadata, Office lock files and hidden files."""
    return any(part in _JUNK_NAMES or part.startswith((".", "~$")) for part in path.split("/"))


def file_name(path: str) -> str:
    return PurePosixPath(path).name


def extension(path: str) -> str:
    """Lower-case extension with its dot (``.txt``), ``""`` if there is none."""
    return PurePosixPath(path).suffix.lower()


def stem(path: str) -> str:
    return PurePosixPath(path).stem
