"""Expanding uploaded zips: every hostile archive is refused before anything is returned."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest

from graphrag_lib.documents import (
    ArchiveTooLarge,
    DuplicatePath,
    FileTooLarge,
    TooManyFiles,
    UnreadableDocument,
    UnsafeArchivePath,
    UnsupportedFormat,
    UploadedFile,
    UploadLimits,
    read_upload,
)
from graphrag_lib.documents.archives import expand_zip
from tests.fixtures.documents import zip_bytes

LIMITS = UploadLimits()


def _zip_infos(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _set_encrypted_flag(data: bytes) -> bytes:
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(signature)
        (flags,) = struct.unpack_from("<H", patched, at + offset)
        struct.pack_into("<H", patched, at + offset, flags | 0x1)
    return bytes(patched)


def test_members_come_out_with_their_full_paths() -> None:
    data = zip_bytes({"root/": b"", "root/a.txt": b"A", "root/sub/deeper/b.md": b"B"})
    members = expand_zip("upload.zip", data, LIMITS)
    assert [(m.path, m.data) for m in members] == [
        ("root/a.txt", b"A"),
        ("root/sub/deeper/b.md", b"B"),
    ]


def test_macos_junk_hidden_files_and_folders_are_skipped() -> None:
    data = zip_bytes(
        {
            "docs/a.txt": b"A",
            "docs/.DS_Store": b"\x00\x00\x00\x01Bud1",
            "__MACOSX/docs/._a.txt": b"\x00\x05\x16\x07",
            "docs/.git/config": b"[core]",
            "docs/~$draft.docx": b"lock",
            "docs/empty-folder/": b"",
        }
    )
    assert [m.path for m in expand_zip("upload.zip", data, LIMITS)] == ["docs/a.txt"]


def test_zip_bomb_by_compression_ratio() -> None:
    data = zip_bytes({"docs/zeros.txt": bytes(5 * 1024 * 1024)})
    with pytest.raises(
        ArchiveTooLarge, match=r"compressed \d+ to 1, more than the limit"
    ) as caught:
        expand_zip("bomb.zip", data, LIMITS)
    assert (caught.value.path, caught.value.archive) == ("docs/zeros.txt", "bomb.zip")
    assert caught.value.status_hint == 413


def test_small_members_are_not_ratio_checked() -> None:
    data = zip_bytes({"docs/repetitive.csv": b"a;b\n" * 100_000})  # ratio ~400, but 400 kB
    assert len(expand_zip("ok.zip", data, LIMITS)[0].data) == 400_000


def test_zip_bomb_by_declared_total() -> None:
    data = zip_bytes({"a.txt": b"x" * 600, "b.txt": b"y" * 600}, zipfile.ZIP_STORED)
    limits = UploadLimits(max_archive_expanded_bytes=1000)
    with pytest.raises(ArchiveTooLarge, match="expands to 1200 bytes, more than the limit of 1000"):
        expand_zip("big.zip", data, limits)


def test_a_member_that_expands_beyond_its_declared_size_is_refused() -> None:
    patched = bytearray(zip_bytes({"a.txt": b"x" * 10_000}))
    struct.pack_into("<I", patched, patched.find(b"PK\x03\x04") + 22, 100)
    struct.pack_into("<I", patched, patched.find(b"PK\x01\x02") + 24, 100)
    # zipfile stops decompressing at the declared size, then the CRC check fails.
    with pytest.raises(UnreadableDocument, match="damaged"):
        expand_zip("forged.zip", bytes(patched), LIMITS)


def test_entry_count_is_checked_before_the_directory_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = zip_bytes({f"f{i}/": b"" for i in range(11)})

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", no_parsing)
    with pytest.raises(TooManyFiles, match="11 entries, more than the limit of 10"):
        expand_zip("many.zip", data, UploadLimits(max_archive_entries=10))


def test_too_many_documents() -> None:
    data = zip_bytes({f"docs/{i}.txt": b"x" for i in range(4)})
    with pytest.raises(TooManyFiles, match="4 documents, more than the limit of 3"):
        expand_zip("many.zip", data, UploadLimits(max_files=3))


def test_an_oversized_member() -> None:
    data = zip_bytes({"docs/big.txt": b"x" * 101})
    with pytest.raises(FileTooLarge, match="expands to 101 bytes, more than the limit of 100"):
        expand_zip("a.zip", data, UploadLimits(max_file_bytes=100))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../evil.txt", "climbs out"),
        ("docs/../../evil.txt", "climbs out"),
        ("..\\evil.txt", "climbs out"),
        ("/etc/evil.txt", "absolute"),
        ("C:/Windows/evil.txt", "absolute"),
        ("C:\\Windows\\evil.txt", "absolute"),
    ],
)
def test_paths_escaping_the_archive(name: str, problem: str) -> None:
    data = zip_bytes({"docs/ok.txt": b"fine", name: b"evil"})
    with pytest.raises(UnsafeArchivePath, match=problem) as caught:
        expand_zip("evil.zip", data, LIMITS)
    assert caught.value.archive == "evil.zip"
    assert str(caught.value).startswith(f"{name} (in evil.zip): ")


def test_symlink_entries() -> None:
    link = zipfile.ZipInfo("docs/passwd.txt")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    data = _zip_infos([(link, b"/etc/passwd")])
    with pytest.raises(UnsafeArchivePath, match="symbolic link") as caught:
        expand_zip("links.zip", data, LIMITS)
    assert caught.value.path == "docs/passwd.txt"


def test_too_deep_paths() -> None:
    data = zip_bytes({"a/b/c/d/e.txt": b"deep"})
    with pytest.raises(UnsafeArchivePath, match="4 folders deep"):
        expand_zip("deep.zip", data, UploadLimits(max_path_depth=3))


def test_encrypted_entries() -> None:
    data = _set_encrypted_flag(zip_bytes({"docs/secret.txt": b"secret"}))
    with pytest.raises(UnreadableDocument, match="password-protected"):
        expand_zip("locked.zip", data, LIMITS)


def test_nested_zips_are_refused_not_expanded() -> None:
    inner = zip_bytes({"inner.txt": b"inner"})
    data = zip_bytes({"docs/a.txt": b"A", "docs/more.zip": inner})
    with pytest.raises(UnsupportedFormat, match="archives inside an archive") as caught:
        expand_zip("outer.zip", data, LIMITS)
    assert "separate file" in caught.value.fix


def test_a_file_that_is_not_a_zip() -> None:
    with pytest.raises(UnreadableDocument, match="damaged or not a zip") as caught:
        expand_zip("notes.zip", b"just text", LIMITS)
    assert caught.value.path == "notes.zip" and caught.value.archive is None


def test_duplicate_names_inside_one_zip() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        data = zip_bytes({"docs/a.txt": b"one"})
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("docs/a.txt", b"two")
    with pytest.raises(DuplicatePath, match=r"docs/a\.txt: two files have this path"):
        read_upload([UploadedFile("dup.zip", buffer.getvalue())], LIMITS)


def test_names_without_the_utf8_flag() -> None:
    cp866 = "Отчёт.txt".encode("cp866")
    utf8 = "Казань.md".encode()
    data = zip_bytes({"X" * len(cp866): b"one", "Y" * len(utf8): b"two"})
    data = data.replace(b"X" * len(cp866), cp866).replace(b"Y" * len(utf8), utf8)
    assert [m.path for m in expand_zip("ru.zip", data, LIMITS)] == ["Отчёт.txt", "Казань.md"]


def test_many_members_each_too_small_to_ratio_check_are_a_bomb_together() -> None:
    size = LIMITS.ratio_check_min_bytes - 1
    data = zip_bytes({f"docs/{i}.txt": b"a" * size for i in range(4)})
    with pytest.raises(ArchiveTooLarge, match=r"the archive expands \d+ to 1") as caught:
        expand_zip("bomb.zip", data, LIMITS)
    assert (caught.value.path, caught.value.archive) == ("bomb.zip", None)
