"""The common clean-up of extracted text."""

from __future__ import annotations

from graphrag_lib.documents.normalise import normalise_text, tidy_layout


def test_newlines_nuls_boms_and_nfc() -> None:
    raw = "\ufeffline one\r\nline two\rline three\u2028Cafe\u0301\x00 end\n\n"
    assert normalise_text(raw) == "line one\nline two\nline three\nCafé end"


def test_markdown_spacing_is_kept() -> None:
    markdown = "# Title\n\n    code block\n- item  \n\n\n\nafter"
    assert normalise_text(markdown) == markdown


def test_tidy_layout_collapses_spaces_and_blank_runs() -> None:
    assert tidy_layout("  a \t b\u00a0c  \n\n\n\n d  \n") == "a b c\n\nd"
