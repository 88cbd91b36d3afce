"""Question analysis: content words, proper names, spellings, broadness."""

from __future__ import annotations

import pytest

from graphrag_lib.retrieve import analyse_question
from graphrag_lib.retrieve.words import SOUND_KEY_PREFIX


def test_english_question() -> None:
    analysis = analyse_question("Where does Alice Smith work?")
    assert analysis.words == ("alice", "smith", "work")
    assert analysis.proper_names == ("alice", "smith")
    assert analysis.language == "en" and not analysis.is_broad
    assert "смитх" in analysis.variants("smith")  # the reverse table, however odd


def test_russian_question_gets_latin_spellings_and_sound_keys() -> None:
    analysis = analyse_question("Что известно об Алисе Смит?")
    assert analysis.language == "ru"
    assert analysis.proper_names == ("алисе", "смит")
    assert "smit" in analysis.variants("смит")
    assert SOUND_KEY_PREFIX + "smt" in analysis.name_terms()


def test_lower_case_question_treats_every_content_word_as_a_name() -> None:
    assert analyse_question("где живёт иван петров").proper_names == ("живет", "иван", "петров")


def test_quoted_names() -> None:
    assert analyse_question('What does "falcon" cost?').proper_names[0] == "falcon"


@pytest.mark.parametrize(
    ("question", "broad"),
    [
        ("What are the main themes?", True),
        ("Give me an overview of the documents", True),
        ("О чём эти документы?", True),
        ("Какие основные темы?", True),
        ("Where does Alice work?", False),
    ],
)
def test_broad_questions(question: str, broad: bool) -> None:
    assert analyse_question(question).is_broad is broad


def test_search_terms_are_plain_words_only() -> None:
    analysis = analyse_question("Alice') ; DROP TABLE entity_index; -- <x> | !y & z:*")
    for term in analysis.name_terms():
        assert term.isalnum(), term


@pytest.mark.parametrize(
    ("question", "points_back"),
    [
        ("Where did she study?", True),
        ("What does it make?", True),
        ("Who works there?", True),
        ("Где она училась?", True),
        ("Что о нём известно?", True),
        ("Кто работает в этой компании?", True),
        ("А что там производят?", True),
        ("Who studies sea ice?", False),
        ("Who is Ingrid Solberg?", False),
        ("Кто такая Анна Ковалёва?", False),
        ("Где я могу найти отчёт?", False),  # first person: not about an earlier subject
    ],
)
def test_questions_that_point_back_at_an_earlier_subject(question: str, points_back: bool) -> None:
    assert analyse_question(question).refers_back is points_back
