# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""CSV → header: value records, delimiter sniffed."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import EmptyDocument, extract_text
from graphrag_lib.documents.formats.csv_text import extract_csv, sniff_delimiter


def test_semicolon_csv_from_russian_excel_in_windows_1251() -> None:
    data = (
        "ФИО;Должность;Город\r\n"
        "Анна Смирнова;Генеральный директор, основатель;Казань\r\n"
        "Игорь Соколов;;Новосибирск\r\n"
    ).encode("cp1251")
    found = extract_csv("staff.csv", data)
    assert found.encoding == "cp1251"
    assert found.text == (
        "ФИО: Анна Смирнова\nДолжность: Генеральный директор, основатель\nГород: Казань\n\n"
        "ФИО: Игорь Соколов\nГород: Новосибирск"
    )


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ("single column\nvalue\n", ","),
    ],
)
def test_sniff_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_quoted_cells_and_extra_columns() -> None:
    data = b'name,note\n"Volkov, Dmitry","line one\nline two",extra\n'
    assert extract_csv("a.csv", data).text == (
        "name: Volkov, Dmitry\nnote: line one line two\ncolumn 3: extra"
    )


def test_header_only_csv_has_no_text() -> None:
    with pytest.raises(EmptyDocument):
        extract_text("a.csv", b"name;role\n")
