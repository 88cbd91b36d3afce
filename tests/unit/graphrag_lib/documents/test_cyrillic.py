# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""Windows-1251 vs KOI8-R on realistic Russian text, where charset-normalizer guesses wrong."""

from __future__ import annotations

import pytest
from charset_normalizer import from_bytes

from graphrag_lib.documents.cyrillic import (
    decode_single_byte_cyrillic,
    looks_cyrillic,
    score_russian,
)

RUSSIAN = [
    "Привет, мир!",
    "Иван Петров работает в Москве.",
    "Отчёт за первый квартал",
    "Список участников совещания",
    "Казань",
    "Склад в Новосибирске",
    "Итоги квартала",
    "Объявление",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "ООО РОМАШКА",
    "СРОЧНО: ОТГРУЗКА ЗАДЕРЖИВАЕТСЯ НА ДВЕ НЕДЕЛИ",
    "ВЫРУЧКА ВЫРОСЛА НА 12 ПРОЦЕНТОВ",
    "ПРОТОКОЛ СОБРАНИЯ АКЦИОНЕРОВ",
    "Юридический адрес: г. Казань, ул. Баумана, д. 5",
    "Дмитрий Волков возглавил проект Polar Route в марте 2024 года.",
    "ПРОТОКОЛ N 3\nзаседания совета директоров\n\nПрисутствовали: А. В. Смирнова, Д. С. Волков.",
]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
@pytest.mark.parametrize("text", RUSSIAN)
def test_realistic_russian_text_is_decoded_in_its_encoding(text: str, encoding: str) -> None:
    assert decode_single_byte_cyrillic(text.encode(encoding)) == (text, encoding)


def test_charset_normalizer_alone_gets_short_russian_wrong() -> None:
    """Why this module exists; if this starts failing, the fallback may be worth revisiting."""
    wrong = 0
    for text in RUSSIAN[:8]:
        for encoding in ("cp1251", "koi8-r"):
            match = from_bytes(text.encode(encoding)).best()
            wrong += match is None or str(match) != text
    assert wrong >= 3


def test_guillemets_and_dashes_count_for_windows_1251() -> None:
    text = "Проект «Полярный маршрут» — коридор Казань — Хельсинки №1"
    assert decode_single_byte_cyrillic(text.encode("cp1251")) == (text, "cp1251")


@pytest.mark.parametrize(
    "data",
    [b"caf\xe9 cr\xe8me br\xfbl\xe9e", b"M\xfcller und S\xf6hne GmbH", b"Stra\xdfe 5", b"plain"],
)
def test_western_text_is_not_taken_for_russian(data: bytes) -> None:
    assert decode_single_byte_cyrillic(data) is None


def test_a_wrongly_decoded_word_costs_a_case_flip() -> None:
    assert score_russian("Привет") > score_russian("пРИВЕТ") + 5


def test_looks_cyrillic_wants_whole_cyrillic_words() -> None:
    assert looks_cyrillic("Казань and Helsinki")
    assert not looks_cyrillic("cafй crиme")
    assert not looks_cyrillic("no letters beyond ascii")
