"""Reading zip files that may be hostile: entry counts before parsing, members read with a cap.

Used for uploaded archives and for the zip inside every .docx. Standard library only.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import BinaryIO

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CHUNK = 64 * 1024
_MAX_TAIL = 65_557  # end record (22 bytes) + the longest comment (65,535)

# What zipfile raises on damaged, encrypted or exotic members.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)


def declared_entry_count(source: bytes | BinaryIO) -> int | None:
    """Entries the zip's end-of-central-directory record announces, without building ZipInfos.

    ``zipfile.ZipFile`` materialises every entry of the central directory on open, so a few MB of
    archive can hold millions of tiny entries; this peek lets the caller refuse first. ``source``
    is the archive's bytes or a seekable binary file (only its last 64 KiB, and the zip64 record
    it points to, are read). None when there is no readable record (``zipfile`` will then
    refuse the archive itself).
    """
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    size = file.seek(0, io.SEEK_END)
    tail_start = max(0, size - _MAX_TAIL)
    file.seek(tail_start)
    tail = file.read()
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    (count,) = struct.unpack_from("<H", tail, at + 10)
    if count != 0xFFFF:
        return int(count)
    locator = at - 20
    if locator < 0 or tail[locator : locator + 4] != _ZIP64_LOCATOR:
        return int(count)
    (record,) = struct.unpack_from("<Q", tail, locator + 8)
    file.seek(record)
    head = file.read(56)
    if len(head) < 56 or head[:4] != _ZIP64_EOCD:
        return None
    (count64,) = struct.unpack_from("<Q", head, 32)
    return int(count64)


def read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's bytes, or None as soon as more than ``cap`` bytes come out.

    Counts what decompression really produces, so a member whose header under-declares its
    size is caught too. Raises one of ``ZIP_READ_ERRORS`` if the member cannot be read.
    """
    chunks: list[bytes] = []
    produced = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            produced += len(chunk)
            if produced > cap:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """Unix archivers store symlinks as entries whose mode says S_IFLNK and whose data is the
    link target."""
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)
