"""PDF → text of its text layer."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import EmptyDocument, UnreadableDocument, extract_text
from graphrag_lib.documents.formats.pdf_text import extract_pdf
from tests.fixtures.documents import pdf_bytes


def test_english_and_russian_lines_are_read() -> None:
    lines = ["Borealis Logistics (Annual Report)", "Годовой отчёт утверждён советом директоров."]
    found = extract_pdf("report.pdf", pdf_bytes(lines))
    assert found.text.splitlines() == lines
    assert found.encoding is None


def test_pages_are_read_in_order() -> None:
    lines = [f"line {number}" for number in range(100)]
    text = extract_pdf("long.pdf", pdf_bytes(lines)).text
    assert [line for line in text.splitlines() if line] == lines


def test_a_pdf_without_text_layer_asks_for_ocr() -> None:
    with pytest.raises(EmptyDocument, match="no extractable text") as caught:
        extract_text("scan.pdf", pdf_bytes([""]))
    assert "OCR" in caught.value.fix


def test_a_damaged_pdf_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="damaged"):
        extract_pdf("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R")


def test_a_password_protected_pdf_asks_for_a_copy_without_password() -> None:
    """A standard security handler whose user password is not empty (U matches no password)."""
    encrypt = (
        b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
        + b"> /P -4 >> /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">]"
    )  # fmt: skip
    data = pdf_bytes(["secret"]).replace(b"/Root 1 0 R >>", b"/Root 1 0 R " + encrypt + b" >>")
    with pytest.raises(UnreadableDocument, match="password-protected") as caught:
        extract_pdf("secret.pdf", data)
    assert "without the password" in caught.value.fix
