"""Format from the extension, checked against the content's leading bytes."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import EmptyDocument, UnsupportedFormat
from graphrag_lib.documents.sniff import format_of, sniff
from tests.fixtures.documents import docx_bytes, pdf_bytes, zip_bytes

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", "txt"),
        ("a.TEXT", "txt"),
        ("a.md", "md"),
        ("a.markdown", "md"),
        ("a.html", "html"),
        ("a.htm", "html"),
        ("a.json", "json"),
        ("a.csv", "csv"),
        ("a.tsv", "csv"),
    ],
)
def test_text_formats_by_extension(name: str, fmt: str) -> None:
    assert format_of(name, b"some text") == fmt


def test_binary_formats_need_matching_content() -> None:
    assert format_of("a.pdf", pdf_bytes(["x"])) == "pdf"
    assert format_of("a.docx", docx_bytes(["x"])) == "docx"


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("setup.exe", "Convert it to one of those or leave it out"),
        ("report.doc", "save it as .docx"),
        ("sheet.xlsx", "Save each sheet as .csv"),
        ("README", "Convert it"),
    ],
)
def test_unsupported_extensions_are_refused_with_a_hint(name: str, fix: str) -> None:
    with pytest.raises(UnsupportedFormat, match="not supported") as caught:
        format_of(name, b"data")
    assert fix in caught.value.fix
    assert "txt, md, html, pdf, docx, json and csv" in caught.value.problem


@pytest.mark.parametrize(
    ("name", "data", "kind", "fix"),
    [
        ("notes.txt", EXE, "Windows executable", "Leave it out"),
        ("notes.txt", b"\x7fELF\x02\x01\x01" + bytes(9), "Linux executable", "Leave it out"),
        ("notes.md", b"\x89PNG\r\n\x1a\n" + bytes(8), "PNG image", "Leave it out"),
        ("notes.txt", pdf_bytes(["x"]), "PDF document", "Rename it to .pdf"),
        ("data.json", zip_bytes({"a.txt": b"a"}), "ZIP archive", "Leave it out"),
        ("report.docx", OLE, "legacy Office document", "save it as .docx"),
        ("report.pdf", EXE, "Windows executable", "Leave it out"),
    ],
)
def test_content_that_contradicts_the_extension_is_refused(
    name: str, data: bytes, kind: str, fix: str
) -> None:
    with pytest.raises(UnsupportedFormat, match=f"named .* but its content is a {kind}") as caught:
        format_of(name, data)
    assert fix in caught.value.fix


@pytest.mark.parametrize("name", ["report.pdf", "report.docx"])
def test_text_named_as_a_binary_format_is_refused(name: str) -> None:
    with pytest.raises(UnsupportedFormat, match="its content is not a"):
        format_of(name, b"just some text")


def test_text_starting_with_mz_is_still_text() -> None:
    assert sniff(b"MZ Corp annual report") is None
    assert format_of("mz.txt", b"MZ Corp annual report") == "txt"


def test_empty_files_are_refused_after_the_extension_check() -> None:
    with pytest.raises(EmptyDocument, match="0 bytes"):
        format_of("a.pdf", b"")
    with pytest.raises(UnsupportedFormat):
        format_of("a.exe", b"")
