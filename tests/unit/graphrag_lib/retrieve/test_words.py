"""Words across scripts: reverse transliteration, sound keys, stems, name index terms."""

from __future__ import annotations

import pytest

from graphrag_lib.retrieve.words import (
    SOUND_KEY_PREFIX,
    WordForms,
    content_words,
    latin_to_cyrillic,
    name_index_terms,
    same_stem,
    sound_key,
    spellings,
)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [("moskva", "москва"), ("sergey", "сергей"), ("shchukin", "щукин"), ("petrov", "петров")],
)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alexander", "Александр"),
        ("Smith", "Смит"),
        ("Smith", "Смита"),  # genitive
        ("Moscow", "Москва"),
        ("Alice", "Алиса"),
        ("Tchaikovsky", "Чайковский"),
    ],
)
def test_names_across_scripts_share_a_sound_key(a: str, b: str) -> None:
    assert sound_key(a) == sound_key(b) is not None


def test_short_names_have_no_sound_key() -> None:
    assert sound_key("Ann") is None and sound_key("Ли") is None


def test_spellings_go_both_ways() -> None:
    assert spellings("иван") == {"иван", "ivan"}
    assert spellings("ivan") == {"ivan", "иван"}
    assert spellings("2021") == {"2021"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("москвы", "москва", True),
        ("иване", "иван", True),
        ("works", "work", True),
        ("acme", "acne", False),
        ("cat", "cats", False),  # too short to guess
        ("company", "companion", False),
    ],
)
def test_same_stem(a: str, b: str, same: bool) -> None:
    assert same_stem(a, b) is same


def test_word_forms_find_inflected_words() -> None:
    forms = WordForms(["иван", "живёт", "в", "москве"])
    assert forms.has_form_of("москва") and forms.has_form_of("ивана")
    assert not forms.has_form_of("петров")


def test_content_words_drop_question_words() -> None:
    assert content_words("Where does Alice Smith work?") == ["alice", "smith", "work"]
    assert content_words("Где живёт Иван Петров?") == ["живет", "иван", "петров"]


def test_name_index_terms_hold_spellings_and_sound_keys() -> None:
    terms = name_index_terms(["Иван Петров"]).split()
    assert {"иван", "ivan", "петров", "petrov", SOUND_KEY_PREFIX + "ptrv"} <= set(terms)
