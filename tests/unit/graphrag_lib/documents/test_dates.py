"""A document's date and its source: the upload, its metadata (HTML, DOCX, PDF), its path."""

from __future__ import annotations

import datetime as dt

import pytest
import rdflib.namespace as ns
from rdflib import Literal

from graphrag_lib.documents import (
    DocumentDate,
    PartialDate,
    UploadedFile,
    UploadLimits,
    date_in_path,
    metadata_date,
    read_upload,
)
from tests.fixtures.documents import docx_bytes, pdf_bytes, zip_bytes


def html(head: str, body: str = "<p>Text.</p>") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_a_partial_date_is_written_as_precisely_as_it_is_known() -> None:
    assert PartialDate(2015).literal() == Literal("2015", datatype=ns.XSD.gYear)
    assert PartialDate(2026, 3).literal() == Literal("2026-03", datatype=ns.XSD.gYearMonth)
    assert PartialDate(2026, 4, 1).literal() == Literal("2026-04-01", datatype=ns.XSD.date)
    assert PartialDate.parse("2026-03-01T10:00:00+01:00") == PartialDate(2026, 3, 1)
    assert PartialDate.parse("2026-02-30") is None
    assert PartialDate.parse("soon") is None
    with pytest.raises(ValueError):
        PartialDate(2026, 13)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("reports/2026-03/news.txt", PartialDate(2026, 3)),
        ("2026_04_01-minutes.docx", PartialDate(2026, 4, 1)),
        ("2025/q4.md", PartialDate(2025)),
        ("archive/2025/03/report.txt", PartialDate(2025, 3)),
        ("scans/20260401.pdf", PartialDate(2026, 4, 1)),
        ("2024/notes-2026-02.txt", PartialDate(2026, 2)),  # the file name before its folders
        ("team/notes.txt", None),
        ("build-12345.txt", None),  # not a year: part of a longer number
        ("2025/13/x.txt", PartialDate(2025)),  # 13 is no month
    ],
)
def test_a_date_in_the_path_or_file_name(path: str, expected: PartialDate | None) -> None:
    assert date_in_path(path) == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta name="date" content="2026-03-02">', "", PartialDate(2026, 3, 2)),
        ('<meta name="DCTERMS.date" content="2026-03">', "", PartialDate(2026, 3)),
        (
            '<meta property="article:published_time" content="2026-04-01T08:00:00Z">'
            '<meta name="date" content="2020-01-01">',
            "",
            PartialDate(2026, 4, 1),  # the publication time first
        ),
        ("", '<time pubdate datetime="2025-11-05">5 Nov</time>', PartialDate(2025, 11, 5)),
        ("", '<time itemprop="datePublished" datetime="2025-11">Nov</time>', PartialDate(2025, 11)),
        ("", '<p>Meeting on <time datetime="2027-01-01">1 Jan</time></p>', None),  # an event
        ('<meta name="date" content="last week">', "", None),
    ],
)
def test_html_metadata_dates(head: str, body: str, expected: PartialDate | None) -> None:
    assert metadata_date("page.html", "html", html(head, body)) == expected


def test_docx_core_properties_created_then_modified() -> None:
    both = {"modified": "2026-05-02T10:00:00Z", "created": "2026-04-01T09:00:00Z"}
    assert metadata_date("a.docx", "docx", docx_bytes(["x"], dates=both)) == PartialDate(2026, 4, 1)
    modified = docx_bytes(["x"], dates={"modified": "2026-05-02T10:00:00Z"})
    assert metadata_date("a.docx", "docx", modified) == PartialDate(2026, 5, 2)
    assert metadata_date("a.docx", "docx", docx_bytes(["x"], title="No dates")) is None


def test_pdf_information_dictionary_creation_then_modification_date() -> None:
    info = {"CreationDate": "D:20260301120000+01'00'", "ModDate": "D:20270101"}
    assert metadata_date("a.pdf", "pdf", pdf_bytes(["x"], info=info)) == PartialDate(2026, 3, 1)
    only_mod = pdf_bytes(["x"], info={"ModDate": "D:202704"})
    assert metadata_date("a.pdf", "pdf", only_mod) == PartialDate(2027, 4)
    assert metadata_date("a.pdf", "pdf", pdf_bytes(["x"])) is None


def test_unreadable_metadata_is_no_date_not_an_error() -> None:
    assert metadata_date("a.pdf", "pdf", b"%PDF-1.4 broken") is None
    assert metadata_date("a.docx", "docx", b"PK not a zip") is None
    assert metadata_date("a.txt", "txt", b"2026-01-01") is None  # plain text has no metadata


def test_upload_then_metadata_then_file_name() -> None:
    upload = dt.date(2026, 1, 15)
    dated_html = html('<meta name="date" content="2025-12-24">')
    files = [
        UploadedFile("2024-06/given.html", dated_html, upload),  # the upload wins
        UploadedFile("2024-06/meta.html", dated_html),  # then the metadata
        UploadedFile(
            "bundle.zip", zip_bytes({"2025_04_01-minutes.txt": b"Minutes.", "plain.txt": b"x"})
        ),
    ]
    documents = {doc.path: doc.document_date() for doc in read_upload(files, UploadLimits())}
    assert documents == {
        "2024-06/given.html": DocumentDate(PartialDate(2026, 1, 15), "upload"),
        "2024-06/meta.html": DocumentDate(PartialDate(2025, 12, 24), "document-metadata"),
        "2025_04_01-minutes.txt": DocumentDate(PartialDate(2025, 4, 1), "file-name"),
        "plain.txt": None,
    }
