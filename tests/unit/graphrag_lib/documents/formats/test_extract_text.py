# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""extract_text: one file → (format, text, encoding), normalised, refusing files without text."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import EmptyDocument, UploadLimits, extract_text
from graphrag_lib.documents.formats import extract
from tests.fixtures.documents import docx_bytes


def test_format_text_and_encoding() -> None:
    data = "Отчёт\r\nза квартал\r\n".encode("cp1251")
    assert extract_text("q1.txt", data) == ("txt", "Отчёт\nза квартал", "cp1251")


def test_a_stray_nul_in_a_long_text_is_dropped() -> None:
    text = "Анна Смирнова возглавляет компанию. " * 40
    data = text.encode("cp1251") + b"\x00"
    assert extract_text("a.txt", data) == ("txt", text.strip(), "cp1251")


@pytest.mark.parametrize("data", [b"   \n\t\r\n", b"\xef\xbb\xbf"])
def test_whitespace_only_text_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyDocument, match="no extractable text"):
        extract_text("blank.txt", data)


def test_docx_parts_are_capped_by_max_file_bytes() -> None:
    limits = UploadLimits(max_file_bytes=100)
    with pytest.raises(Exception, match="expands beyond 100 bytes"):
        extract("a.docx", docx_bytes(["x" * 200]), limits)
