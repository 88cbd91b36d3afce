"""Ranking entity candidates: names in either script, partial names, descriptions."""

from __future__ import annotations

import pytest

from graphrag_lib.retrieve import LinkingConfig, analyse_question, rank_candidates
from tests.unit.graphrag_lib.retrieve.graph import candidates, chat_graph


def linked(question: str, config: LinkingConfig | None = None) -> list[str]:
    iris = {v: k for k, v in chat_graph().entities.items()}
    return [iris[e.iri] for e in rank_candidates(analyse_question(question), candidates(), config)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where does Alice Smith work?", ["alice"]),
        ("Who works for Acme Corp?", ["acme"]),
        ("What is Project Falcon?", ["falcon"]),
        ("Где живёт Иван Петров?", ["ivan"]),
        ("Where does Ivan Petrov live?", ["ivan"]),  # Latin question, Cyrillic label
        ("Что известно об Алисе Смит?", ["alice"]),  # Cyrillic question, Latin label
        ("Tell me about Moskva", ["moscow"]),
        ("What does the Acme Corporation build?", ["acme"]),  # by alias
        ("Что производит компания Ромашка?", ["romashka"]),
        ("How are Alice Smith and Bob Jones related?", ["alice", "bob"]),
    ],
)
def test_golden_links(question: str, expected: list[str]) -> None:
    assert linked(question) == expected


def test_a_lone_first_name_links_when_written_as_a_name() -> None:
    assert linked("Where does Alice work?") == ["alice"]


def test_a_common_word_does_not_link_a_longer_name() -> None:
    assert "falcon" not in linked("What is the budget of the project?")


def test_unknown_names_link_nothing() -> None:
    assert linked("Who is Zorblax Quinterfield?") == []
    assert linked("What is the capital of Atlantis?") == []


def test_scores_say_how_the_name_matched() -> None:
    (exact,) = rank_candidates(analyse_question("Alice Smith"), candidates())
    (spelled,) = rank_candidates(analyse_question("Ivan Petrov"), candidates())
    assert (exact.score, exact.matched_by) == (1.0, "label/exact")
    assert spelled.matched_by == "label/spelling" and spelled.score < 1.0


def test_max_entities() -> None:
    question = "Alice Smith, Bob Jones, Acme Corp and Berlin"
    assert len(linked(question, LinkingConfig(max_entities=2))) == 2


def test_descriptions_link_only_when_no_name_does() -> None:
    from graphrag_lib.retrieve import EntityCandidate, IndexedEntity

    rows = [
        EntityCandidate(
            IndexedEntity("urn:x:1", "Orbital Works", (), "builds rocket engines"), 0.4
        ),
        EntityCandidate(IndexedEntity("urn:x:2", "Tea Shop", (), "sells rocket tea"), 0.1),
    ]
    (found,) = rank_candidates(analyse_question("Who builds rocket engines?"), rows)
    assert (found.iri, found.matched_by) == ("urn:x:1", "description")
    assert found.score < LinkingConfig().min_name_coverage
    # a question naming someone unknown does not fall back to similar descriptions
    assert rank_candidates(analyse_question("Who is Zorblax, builder of rockets?"), rows) == []
