"""Peeking at a zip's entry count and reading members with a cap."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from graphrag_lib.documents.zipsafe import declared_entry_count, read_capped
from tests.fixtures.documents import zip_bytes


def test_declared_entry_count_reads_the_end_record() -> None:
    data = zip_bytes({f"f{i}.txt": b"x" for i in range(7)})
    assert declared_entry_count(data) == 7


def test_declared_entry_count_follows_the_zip64_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)  # makes zipfile write zip64 records
    data = bytearray(zip_bytes({f"f{i}.txt": b"x" for i in range(5)}))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 0xFFFF, 0xFFFF)  # as a 65,535+ entry archive has
    assert declared_entry_count(bytes(data)) == 5


def test_declared_entry_count_of_garbage_is_unknown() -> None:
    assert declared_entry_count(b"not a zip at all") is None


def test_read_capped_stops_once_the_cap_is_passed() -> None:
    data = zip_bytes({"big.txt": b"x" * 300_000})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("big.txt")
        assert read_capped(archive, info, 100_000) is None
        assert read_capped(archive, info, 300_000) == b"x" * 300_000
