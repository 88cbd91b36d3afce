"""Context assembly on the fixed graph (rdflib runs the same SPARQL the store would)."""

from __future__ import annotations

import pytest

from graphrag_lib.retrieve import (
    RetrievalConfig,
    analyse_question,
    rank_candidates,
    retrieve_context,
)
from graphrag_lib.retrieve.facts import entity_line, reference_line, relation_line
from graphrag_lib.sparql_terms import iri
from tests.unit.graphrag_lib.retrieve.graph import (
    GRAPH,
    RecordingRunner,
    candidates,
    chat_graph,
)


def context_of(question: str, config: RetrievalConfig | None = None):  # type: ignore[no-untyped-def]
    analysis = analyse_question(question)
    linked = rank_candidates(analysis, candidates())
    run = RecordingRunner()
    return retrieve_context(run, GRAPH, analysis, linked, config), run


def passage_names(context) -> list[str]:  # type: ignore[no-untyped-def]
    names = {v: k for k, v in chat_graph().passages.items()}
    return [names[r.iri] for r in context.passages]


@pytest.mark.parametrize(
    ("question", "first_passage", "passages"),
    [
        ("Where does Alice Smith work?", "alice", {"alice", "bob"}),
        ("What is Project Falcon?", "falcon", {"falcon"}),
        ("Где живёт Иван Петров?", "ivan", {"ivan"}),
        ("Where does Ivan Petrov live?", "ivan", {"ivan"}),
        ("Что производит компания Ромашка?", "romashka", {"ivan", "romashka"}),
    ],
)
def test_golden_passages(question: str, first_passage: str, passages: set[str]) -> None:
    context, _ = context_of(question)
    found = passage_names(context)
    assert found[0] == first_passage
    assert passages <= set(found)


def test_the_linked_entity_comes_with_its_neighbourhood() -> None:
    context, _ = context_of("Where does Alice Smith work?")
    assert [f.label for f in context.entities] == ["Alice Smith"]
    first = context.relations[0]
    assert (first.subject, first.predicate, first.object) == (
        "Alice Smith",
        "works for",
        "Acme Corp",
    )
    assert {r.hop for r in context.relations} == {1, 2}  # Acme's other relations at hop 2
    assert all(r.refs for r in context.relations)


def test_references_resolve_to_document_folder_and_passage() -> None:
    context, _ = context_of("Where does Alice Smith work?")
    first = context.references[0]
    assert (first.number, first.kind) == (1, "passage")
    assert (first.title, first.path, first.folder_path, first.order) == (
        "Staff report",
        "hr/2024/staff.txt",
        "hr/2024",
        0,
    )
    assert first.excerpt and first.excerpt.startswith("Alice Smith works for Acme Corp")
    assert context.entities[0].refs[0] == 1


def test_broad_questions_get_community_reports() -> None:
    context, _ = context_of("What are the main themes?")
    assert context.is_broad and not context.entities
    assert [r.kind for r in context.references] == ["report", "report"]
    assert context.references[0].title == "Acme Corp and its people"  # the higher rank first


def test_a_broad_question_about_an_entity_gets_its_community_report() -> None:
    context, _ = context_of("Give an overview of Acme Corp")
    reports = [r for r in context.references if r.kind == "report"]
    assert [r.iri for r in reports] == [chat_graph().reports["acme"]]


def test_nothing_linked_nothing_retrieved() -> None:
    context, run = context_of("Who is Zorblax Quinterfield?")
    assert context.is_empty and run.queries == []


@pytest.mark.parametrize("budget", [200, 400, 800, 3000])
def test_the_context_stays_within_its_token_budget(budget: int) -> None:
    config = RetrievalConfig(context_tokens=budget)
    context, _ = context_of("How are Alice Smith and Bob Jones related to Acme Corp?", config)
    assert 0 < context.tokens <= budget
    lines = [entity_line(f) for f in context.entities] + [
        relation_line(f) for f in context.relations
    ]
    assert lines, "even a small budget keeps the best facts"


def test_a_small_budget_lists_sources_for_citation_without_their_text() -> None:
    config = RetrievalConfig(context_tokens=300, max_passages=1)
    context, _ = context_of("Where does Alice Smith work?", config)
    quoted = [r for r in context.references if r.excerpt]
    cited_only = [r for r in context.references if not r.excerpt]
    assert len(quoted) == 1 and cited_only
    assert all(reference_line(r).startswith(f"[{r.number}] ") for r in context.references)
    numbers = {r.number for r in context.references}
    assert all(set(f.refs) <= numbers for f in context.relations)


def test_queries_hold_iris_only() -> None:
    _, run = context_of('Alice Smith" } ; DROP ALL ; INSERT DATA { <a> <b> <c> } #')
    assert run.queries
    for query in run.queries:
        assert "DROP" not in query and "INSERT" not in query


@pytest.mark.parametrize("bad", ["", "no-scheme", "urn:x> } DROP ALL {", 'urn:"x', "urn:x y"])
def test_iri_terms_refuse_anything_but_plain_iris(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        iri(bad)
