# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""Plain text and Markdown."""

from __future__ import annotations

from graphrag_lib.documents.formats.plain_text import extract_markdown, extract_plain_text


def test_plain_text_is_decoded() -> None:
    found = extract_plain_text("a.txt", "Отчёт о проекте".encode("cp1251"))
    assert (found.text, found.encoding, found.title) == ("Отчёт о проекте", "cp1251", None)


def test_markdown_is_kept_as_written_and_titled_by_its_first_heading() -> None:
    markdown = "Intro line\n\n# Borealis Logistics #\n\n## People\n\n- **Anna Smirnova**\n"
    found = extract_markdown("README.md", markdown.encode())
    assert found.text == markdown
    assert found.title == "Borealis Logistics"


def test_markdown_without_heading_has_no_title() -> None:
    assert extract_markdown("a.md", b"## only level two").title is None
