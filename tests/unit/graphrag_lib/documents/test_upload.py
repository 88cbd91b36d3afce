"""read_upload: files, folders and zips → documents, all of them or a refusal naming the file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest

from graphrag_lib.documents import (
    DocumentError,
    DuplicatePath,
    EmptyDocument,
    FileTooLarge,
    TooManyFiles,
    UnsupportedFormat,
    UploadedFile,
    UploadLimits,
    UploadTooLarge,
    iter_upload,
    read_upload,
)
from tests.fixtures.documents import (
    CORPUS_ENCODINGS,
    CORPUS_PEOPLE,
    CORPUS_PLACES,
    CORPUS_ROOT,
    corpus_files,
    corpus_zip,
    pdf_bytes,
    zip_bytes,
)

LIMITS = UploadLimits()
DAY = dt.date(2024, 4, 1)


def test_the_corpus_zip_reads_as_every_format_and_encoding() -> None:
    documents = read_upload([UploadedFile("borealis.zip", corpus_zip(), DAY)], LIMITS)
    by_path = {doc.path.removeprefix(f"{CORPUS_ROOT}/"): doc for doc in documents}
    assert list(by_path) == list(CORPUS_ENCODINGS)  # archive order, junk skipped
    assert {path: doc.encoding for path, doc in by_path.items()} == CORPUS_ENCODINGS
    assert {doc.format for doc in documents} == {"md", "csv", "json", "docx", "txt", "html", "pdf"}
    originals = corpus_files()
    for path, doc in by_path.items():
        assert doc.date == DAY
        assert doc.size == len(originals[path])
        assert doc.sha256 == hashlib.sha256(originals[path]).hexdigest()
        assert "\r" not in doc.text and "\x00" not in doc.text


def test_the_corpus_mentions_each_person_in_several_documents() -> None:
    documents = read_upload([UploadedFile("borealis.zip", corpus_zip())], LIMITS)
    for english, russian in CORPUS_PEOPLE.items():
        mentions = [doc.path for doc in documents if english in doc.text or russian in doc.text]
        assert len(mentions) >= 3, english
    for english, russian in CORPUS_PLACES.items():
        assert sum(english in doc.text or russian in doc.text for doc in documents) >= 3


def test_titles_come_from_the_documents_or_their_file_names() -> None:
    documents = read_upload([UploadedFile("borealis.zip", corpus_zip())], LIMITS)
    titles = {doc.path.rsplit("/", 1)[-1]: doc.title for doc in documents}
    assert titles["README.md"] == "Borealis Logistics"
    assert titles["plan.docx"] == "План проекта «Полярный маршрут»"
    assert titles["announcement.html"].startswith("«Бореалис Логистик» открывает склад")
    assert titles["status-2024-q1.txt"] == "status-2024-q1"


def test_files_of_a_folder_upload_keep_their_paths_and_dates() -> None:
    files = [
        UploadedFile("reports\\2024\\q1.txt", "Отчёт за квартал".encode("cp1251"), DAY),
        UploadedFile("./reports/2024/notes.md", b"# Notes\n\nKazan office"),
        UploadedFile("reports/.DS_Store", b"\x00\x00\x00\x01Bud1"),
    ]
    documents = read_upload(files, LIMITS)
    assert [(doc.path, doc.format, doc.date) for doc in documents] == [
        ("reports/2024/q1.txt", "txt", DAY),
        ("reports/2024/notes.md", "md", None),
    ]


def test_files_and_zips_mix() -> None:
    files = [
        UploadedFile("intro.txt", b"Borealis Logistics"),
        UploadedFile("more.zip", zip_bytes({"a/b.txt": b"Kazan"}), DAY),
    ]
    assert [(doc.path, doc.date) for doc in read_upload(files, LIMITS)] == [
        ("intro.txt", None),
        ("a/b.txt", DAY),
    ]


def test_one_bad_file_refuses_the_whole_upload() -> None:
    files = [UploadedFile("good.txt", b"fine"), UploadedFile("tool.exe", b"MZ\x90\x00")]
    with pytest.raises(UnsupportedFormat) as caught:
        read_upload(files, LIMITS)
    assert caught.value.path == "tool.exe"


def test_a_bad_member_names_its_archive() -> None:
    data = zip_bytes({"docs/ok.txt": b"fine", "docs/fake.txt": b"MZ\x90\x00\x03\x00\x00\x00"})
    with pytest.raises(UnsupportedFormat, match="its content is a Windows executable") as caught:
        read_upload([UploadedFile("docs.zip", data)], LIMITS)
    assert (caught.value.path, caught.value.archive) == ("docs/fake.txt", "docs.zip")
    assert str(caught.value).startswith("docs/fake.txt (in docs.zip): ")


@pytest.mark.parametrize(
    ("name", "data", "error", "problem"),
    [
        ("empty.txt", b"", EmptyDocument, "0 bytes"),
        ("blank.md", b"\n   \n", EmptyDocument, "no extractable text"),
        ("scan.pdf", pdf_bytes([""]), EmptyDocument, "no extractable text"),
        ("setup.exe", b"MZ\x90\x00", UnsupportedFormat, "'.exe' files are not supported"),
        ("notes.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(64), UnsupportedFormat, "executable"),
        ("notes.txt", bytes(range(256)) * 4, UnsupportedFormat, "binary"),
        ("../notes.txt", b"x", DocumentError, "climbs out"),
    ],
)
def test_refusals_name_the_file(
    name: str, data: bytes, error: type[DocumentError], problem: str
) -> None:
    with pytest.raises(error, match=problem) as caught:
        read_upload([UploadedFile(name, data)], LIMITS)
    assert str(caught.value).startswith(name)
    assert caught.value.fix


@pytest.mark.parametrize(
    "names",
    [
        ["a/b.txt", "a/b.txt"],
        ["a/./b.txt", "a\\b.txt"],
        ["Cafe\u0301.txt", "Café.txt"],
    ],
)
def test_duplicate_paths(names: list[str]) -> None:
    files = [UploadedFile(name, b"text") for name in names]
    with pytest.raises(DuplicatePath, match="two files have this path"):
        read_upload(files, LIMITS)


def test_a_file_and_an_archive_member_at_the_same_path() -> None:
    files = [UploadedFile("a/b.txt", b"one"), UploadedFile("x.zip", zip_bytes({"a/b.txt": b"2"}))]
    with pytest.raises(DuplicatePath, match=r"uploaded directly and in x\.zip"):
        read_upload(files, LIMITS)


def test_too_many_files_across_the_upload() -> None:
    files = [UploadedFile(f"{i}.txt", b"x") for i in range(2)]
    files.append(UploadedFile("more.zip", zip_bytes({"a.txt": b"a", "b.txt": b"b"})))
    with pytest.raises(TooManyFiles, match="more than 3 documents") as caught:
        read_upload(files, UploadLimits(max_files=3))
    assert caught.value.status_hint == 413


def test_an_oversized_file() -> None:
    with pytest.raises(FileTooLarge, match="101 bytes, more than the limit of 100"):
        read_upload([UploadedFile("big.txt", b"x" * 101)], UploadLimits(max_file_bytes=100))


def test_the_total_size_limit() -> None:
    files = [UploadedFile(f"{i}.txt", b"x" * 60) for i in range(2)]
    with pytest.raises(UploadTooLarge, match="add up to 120 bytes") as caught:
        read_upload(files, UploadLimits(max_total_bytes=100))
    assert caught.value.path == "1.txt"


def test_an_archive_larger_than_the_upload_limit() -> None:
    data = zip_bytes({"a.txt": b"x" * 300}, compression=0)
    with pytest.raises(UploadTooLarge, match="the archive is"):
        read_upload([UploadedFile("a.zip", data)], UploadLimits(max_total_bytes=200))


@pytest.mark.parametrize(
    "files",
    [[], [UploadedFile(".DS_Store", b"x")], [UploadedFile("a.zip", zip_bytes({"x/": b""}))]],
)
def test_an_upload_without_documents(files: list[UploadedFile]) -> None:
    with pytest.raises(EmptyDocument, match="the upload contains no documents"):
        read_upload(files, LIMITS)


def test_iter_upload_reads_archives_from_files_one_document_at_a_time() -> None:
    archive = io.BytesIO(zip_bytes({"a/one.txt": b"Kazan", "a/two.txt": b"Moscow"}))
    documents = iter_upload([UploadedFile("docs.zip", archive, DAY)], LIMITS)
    first = next(documents)
    assert (first.path, first.text, first.date) == ("a/one.txt", "Kazan", DAY)
    assert [doc.path for doc in documents] == ["a/two.txt"]


def test_iter_upload_refuses_before_the_first_document_what_the_directory_shows() -> None:
    files = [UploadedFile("a.txt", b"fine"), UploadedFile("b.txt", b"x" * 200)]
    documents = iter_upload(files, UploadLimits(max_total_bytes=100))
    with pytest.raises(UploadTooLarge):
        next(documents)
