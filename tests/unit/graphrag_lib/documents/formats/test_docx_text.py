# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""DOCX → paragraphs and table rows with the standard library and defusedxml."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import ArchiveTooLarge, UnreadableDocument
from graphrag_lib.documents.formats.docx_text import extract_docx
from tests.fixtures.documents import _CONTENT_TYPES, _ROOT_RELS, docx_bytes, zip_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CAP = 1_000_000


def _package(document_xml: str, rels: str = _ROOT_RELS, name: str = "word/document.xml") -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": _CONTENT_TYPES.encode(),
            "_rels/.rels": rels.encode(),
            name: document_xml.encode(),
        }
    )


def test_paragraphs_and_tables_in_document_order() -> None:
    data = docx_bytes(
        [
            "План проекта «Полярный маршрут»",
            "Руководитель — **Дмитрий Волков**.",
            [["Этап", "Срок"], ["Пробный рейс", "апрель 2024"], ["", "без этапа"]],
            "Утверждено.",
        ],
        title="План проекта",
    )
    found = extract_docx("plan.docx", data, CAP)
    assert found.text == (
        "План проекта «Полярный маршрут»\n\n"
        "Руководитель — Дмитрий Волков.\n\n"
        "Этап | Срок\nПробный рейс | апрель 2024\nбез этапа\n\n"
        "Утверждено."
    )
    assert (found.title, found.encoding) == ("План проекта", None)


def test_tabs_breaks_and_revisions() -> None:
    body = (
        "<w:p><w:r><w:t>Kazan</w:t><w:tab/><w:t>HQ</w:t><w:br/><w:t>since 2016</w:t></w:r>"
        "<w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t> inserted</w:t></w:r></w:ins>"
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r></w:p>'
    )
    document = f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    assert extract_docx("a.docx", _package(document), CAP).text == "Kazan HQ\nsince 2016 inserted"


def test_strict_ooxml_and_a_renamed_main_part() -> None:
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    document = f'<w:document xmlns:w="{strict}"><w:body><w:p><w:r><w:t>Strict</w:t></w:r></w:p>'
    document += "</w:body></w:document>"
    rels = _ROOT_RELS.replace("word/document.xml", "/word/main.xml")
    data = _package(document, rels=rels, name="word/main.xml")
    assert extract_docx("a.docx", data, CAP).text == "Strict"


def test_entity_declarations_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    with pytest.raises(UnreadableDocument, match="declares XML entities"):
        extract_docx("bomb.docx", _package(bomb), CAP)


def test_a_package_without_document_part_is_unreadable() -> None:
    data = zip_bytes({"[Content_Types].xml": _CONTENT_TYPES.encode()})
    with pytest.raises(UnreadableDocument, match=r"has no word/document\.xml part"):
        extract_docx("a.docx", data, CAP)


def test_broken_xml_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="not valid XML"):
        extract_docx("a.docx", _package("<w:document><w:body>"), CAP)


def test_a_part_expanding_beyond_the_cap_is_refused() -> None:
    paragraph = "<w:p><w:r><w:t>" + "x" * 5000 + "</w:t></w:r></w:p>"
    document = f'<w:document xmlns:w="{W}"><w:body>{paragraph * 10}</w:body></w:document>'
    with pytest.raises(ArchiveTooLarge, match="expands beyond 10000 bytes"):
        extract_docx("big.docx", _package(document), 10_000)


def test_a_damaged_package_is_unreadable() -> None:
    data = docx_bytes(["text"])
    with pytest.raises(UnreadableDocument, match="damaged"):
        extract_docx("a.docx", data[: len(data) // 2], CAP)
