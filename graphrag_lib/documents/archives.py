"""Expanding an uploaded zip into its member files, refusing anything that smells of an attack.

Checked before a byte is decompressed, from the central directory: the entry count (from the raw
end record, before ``zipfile`` parses the directory), each member's path (no ``..``, absolute
paths, drive letters, symlinks; depth limit), encryption, the sizes the archive declares (per
member, in total), each member's compression ratio and the whole archive's (many members each
too small to be ratio-checked are still a zip bomb together). Checked while decompressing: no
member produces more bytes than it declared, so the declared totals bound what comes out.
Nested archives are not expanded: a ``.zip`` inside the zip is refused (one level keeps the
limits simple to reason about). Junk (``__MACOSX/``, ``.DS_Store``, hidden files and folders,
Office lock files) is skipped.

``open_zip`` + ``list_members`` do every check that needs no decompression; ``read_member`` then
reads one member at a time, so a caller holds one member in memory, never the archive expanded.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from graphrag_lib.documents.errors import (
    ArchiveTooLarge,
    DocumentError,
    FileTooLarge,
    TooManyFiles,
    UnreadableDocument,
    UnsafeArchivePath,
    UnsupportedFormat,
)
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.paths import extension, is_junk, normalise_path
from graphrag_lib.documents.sniff import ARCHIVE_EXTENSIONS
from graphrag_lib.documents.zipsafe import (
    ZIP_READ_ERRORS,
    declared_entry_count,
    is_encrypted,
    is_symlink,
    read_capped,
)

_RECREATE = "Create the archive again with a standard zip tool and upload it"


@dataclass(frozen=True)
class Member:
    path: str
    data: bytes


@dataclass(frozen=True)
class MemberEntry:
    """A member to read: its normalised path and its entry in the archive's directory."""

    path: str
    info: zipfile.ZipInfo


def expand_zip(name: str, data: bytes, limits: UploadLimits) -> list[Member]:
    """The documents inside the zip uploaded as ``name``, all read at once (small archives);
    member errors name the member and, through ``DocumentError.archive``, the archive."""
    with open_zip(name, io.BytesIO(data), limits) as archive:
        entries = list_members(name, archive, len(data), limits)
        return [Member(entry.path, read_member(name, archive, entry)) for entry in entries]


def open_zip(name: str, file: BinaryIO, limits: UploadLimits) -> zipfile.ZipFile:
    """The zip in ``file`` (seekable), once its entry count is within the limits."""
    _check_entry_count(name, file, limits)
    try:
        return zipfile.ZipFile(file)
    except ZIP_READ_ERRORS as err:
        raise UnreadableDocument(
            name, "the archive is damaged or not a zip file", _RECREATE
        ) from err


def list_members(
    name: str, archive: zipfile.ZipFile, archive_bytes: int, limits: UploadLimits
) -> list[MemberEntry]:
    """The members that are documents, in archive order, once every check that the central
    directory allows has passed (paths, links, encryption, sizes, compression ratios)."""
    wanted = _wanted_members(name, archive, limits)
    _check_totals(name, wanted, archive_bytes, limits)
    return wanted


def read_member(name: str, archive: zipfile.ZipFile, entry: MemberEntry) -> bytes:
    """The member's bytes; decompression is stopped at the size the archive declared for it, so
    the declared totals checked by ``list_members`` bound what is actually produced."""
    try:
        data = read_capped(archive, entry.info, entry.info.file_size)
    except ZIP_READ_ERRORS as err:
        raise UnreadableDocument(
            entry.path, "the entry is damaged", _RECREATE, archive=name
        ) from err
    if data is None:
        raise ArchiveTooLarge(
            entry.path,
            f"the entry expands beyond the {entry.info.file_size} bytes its header declares",
            "The archive is damaged or forged; " + _RECREATE.lower(),
            archive=name,
        )
    return data


def member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its creator meant it.

    Without the UTF-8 flag, zipfile decodes names as cp437. Many archivers write UTF-8 without
    the flag, and Windows Explorer on a Russian system writes cp866; so the raw bytes are read as
    UTF-8 if valid, else as cp866.
    """
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp866")


def _check_entry_count(name: str, file: BinaryIO, limits: UploadLimits) -> None:
    count = declared_entry_count(file)
    if count is not None and count > limits.max_archive_entries:
        raise TooManyFiles(
            name,
            f"the archive holds {count} entries, more than the limit of "
            f"{limits.max_archive_entries}",
            "Split it into several smaller archives",
        )


def _wanted_members(name: str, archive: zipfile.ZipFile, limits: UploadLimits) -> list[MemberEntry]:
    wanted = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            path = normalise_path(member_name(info), limits.max_path_depth)
            if not is_junk(path):
                _check_member(path, info, limits)
                wanted.append(MemberEntry(path, info))
        except DocumentError as err:
            raise err.in_archive(name) from err
    return wanted


def _check_member(path: str, info: zipfile.ZipInfo, limits: UploadLimits) -> None:
    if is_symlink(info):
        raise UnsafeArchivePath(
            path, "the entry is a symbolic link", "Put the file itself in the archive, not a link"
        )
    if is_encrypted(info):
        raise UnreadableDocument(
            path, "the entry is password-protected", "Create the archive without a password"
        )
    if extension(path) in ARCHIVE_EXTENSIONS:
        raise UnsupportedFormat(
            path,
            "archives inside an archive are not expanded",
            "Unpack it into the outer archive, or upload it as a separate file",
        )
    if info.file_size > limits.max_file_bytes:
        raise FileTooLarge(
            path,
            f"the file expands to {info.file_size} bytes, more than the limit of "
            f"{limits.max_file_bytes}",
            "Split it into smaller files",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= limits.ratio_check_min_bytes and ratio > limits.max_compression_ratio:
        raise ArchiveTooLarge(
            path,
            f"the entry is compressed {ratio:.0f} to 1, more than the limit of "
            f"{limits.max_compression_ratio:.0f} to 1 (this is how zip bombs look)",
            "Upload the file uncompressed, or leave it out",
        )


def _check_totals(
    name: str, wanted: list[MemberEntry], archive_bytes: int, limits: UploadLimits
) -> None:
    if len(wanted) > limits.max_files:
        raise TooManyFiles(
            name,
            f"the archive holds {len(wanted)} documents, more than the limit of {limits.max_files}",
            "Split it into several uploads",
        )
    declared = sum(entry.info.file_size for entry in wanted)
    if declared > limits.max_archive_expanded_bytes:
        raise ArchiveTooLarge(
            name,
            f"the archive expands to {declared} bytes, more than the limit of "
            f"{limits.max_archive_expanded_bytes}",
            "Split it into several smaller archives",
        )
    ratio = declared / max(archive_bytes, 1)
    if declared >= limits.ratio_check_min_bytes and ratio > limits.max_compression_ratio:
        raise ArchiveTooLarge(
            name,
            f"the archive expands {ratio:.0f} to 1 ({declared} bytes from {archive_bytes}), "
            f"more than the limit of {limits.max_compression_ratio:.0f} to 1 (this is how zip "
            "bombs look)",
            "Split it into several smaller archives, or upload the files uncompressed",
        )
