# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""HTML → readable text."""

from __future__ import annotations

import pytest

from graphrag_lib.documents.formats.html_text import declared_charset, extract_html

PAGE = """<!DOCTYPE html>
<html><head><meta charset="windows-1251"><title>Склад «Тайга»</title>
<style>p { color: red; }</style><script>var secret = "скрипт";</script></head>
<body>
<nav><a href="/">Главная</a></nav>
<!-- комментарий -->
<h1>Склад открыт</h1>
<p>Компания «Бореалис Логистик» открыла
   склад в Новосибирске.</p><p>Руководитель: <b>Игорь</b> Соколов &amp; команда.<br>Вторая
строка.</p>
<ul><li>Первый пункт</li>
    <li>Второй пункт</li></ul>
<table><tr><th>Город</th><th>Офис</th></tr><tr><td>Казань</td><td>штаб-квартира</td></tr></table>
<noscript>Включите JavaScript</noscript>
</body></html>"""


def test_windows_1251_page_with_meta_charset() -> None:
    found = extract_html("news.html", PAGE.encode("cp1251"))
    assert found.encoding == "cp1251"
    assert found.title == "Склад «Тайга»"
    assert found.text == (
        "Склад открыт\n\n"
        "Компания «Бореалис Логистик» открыла склад в Новосибирске.\n\n"
        "Руководитель: Игорь Соколов & команда.\nВторая строка.\n\n"
        "- Первый пункт\n- Второй пункт\n\n"
        "Город | Офис\nКазань | штаб-квартира"
    )


@pytest.mark.parametrize(
    "dropped", ["скрипт", "color: red", "Главная", "комментарий", "JavaScript"]
)
def test_scripts_styles_navigation_and_comments_are_dropped(dropped: str) -> None:
    assert dropped not in extract_html("news.html", PAGE.encode("cp1251")).text


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<meta charset="koi8-r">', "koi8-r"),
        (b"<meta charset=UTF-8>", "UTF-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
         "windows-1251"),
        (b'<?xml version="1.0" encoding="KOI8-R"?>', "KOI8-R"),
        (b"<title>none</title>", None),
    ],
)  # fmt: skip
def test_declared_charset(head: bytes, charset: str | None) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head></html>") == charset


def test_koi8_page_declared_in_http_equiv() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        "</head><body><p>Протокол совещания</p></body></html>"
    )
    found = extract_html("a.html", page.encode("koi8-r"))
    assert (found.text, found.encoding) == ("Протокол совещания", "koi8-r")


def test_title_falls_back_to_the_first_heading() -> None:
    found = extract_html("a.html", b"<body><h1>Annual <i>report</i></h1><p>Text</p></body>")
    assert found.title == "Annual report"


def test_preformatted_text_keeps_its_lines() -> None:
    found = extract_html("a.html", b"<pre>line one\nline two</pre>")
    assert found.text == "line one\nline two"
