"""The prompt, read back by the stand-in; the extractive composer; citations."""

from __future__ import annotations

from graphrag_lib.retrieve import (
    MARKER,
    Turn,
    analyse_question,
    build_messages,
    cited_numbers,
    compose_answer,
    is_chat_prompt,
    rank_candidates,
    read_context_message,
    resolve_citations,
    retrieve_context,
    sources_footer,
    strip_sources_footer,
)
from graphrag_lib.retrieve.compose import DONT_KNOW
from graphrag_lib.retrieve.facts import RetrievedContext
from tests.unit.graphrag_lib.retrieve.graph import GRAPH, RecordingRunner, candidates


def context_of(question: str) -> RetrievedContext:
    analysis = analyse_question(question)
    return retrieve_context(
        RecordingRunner(), GRAPH, analysis, rank_candidates(analysis, candidates())
    )


def answer(question: str) -> str:
    messages = build_messages(question, context_of(question))
    read = read_context_message(messages[-1]["content"])
    assert read is not None and read.question == question
    return compose_answer(read.question, read.facts)


def test_messages_carry_the_marker_history_and_context() -> None:
    question = "Where does Alice Smith work?"
    history = [Turn("user", "Who is Bob Jones?"), Turn("assistant", "A data engineer [1].")]
    messages = build_messages(question, context_of(question), history)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert is_chat_prompt(messages) and MARKER in messages[0]["content"]
    assert "[1] Staff report — hr/2024/staff.txt, passage 1:" in messages[-1]["content"]
    assert messages[-1]["content"].endswith(f"Question: {question}")


def test_the_context_reads_back_fact_by_fact() -> None:
    question = "Where does Alice Smith work?"
    context = context_of(question)
    read = read_context_message(build_messages(question, context)[-1]["content"])
    assert read is not None
    kinds = [f.kind for f in read.facts]
    assert kinds.count("entity") == len(context.entities)
    assert kinds.count("relation") == len(context.relations)
    assert kinds.count("source") == len([r for r in context.references if r.excerpt])
    relation = next(f for f in read.facts if f.kind == "relation")
    assert relation.text.startswith("Alice Smith → works for → Acme Corp") and relation.refs == (1,)


def test_extractive_answers_cite_their_sources() -> None:
    english = answer("Where does Alice Smith work?")
    assert english.startswith("Alice Smith works for Acme Corp [1].")
    russian = answer("Где живёт Иван Петров?")
    assert "Иван Петров живёт в Москве [1]" in russian
    crossed = answer("Where does Ivan Petrov live?")
    assert "Москве" in crossed and "[1]" in crossed


def test_broad_questions_are_answered_from_reports() -> None:
    text = answer("What are the main themes?")
    assert "Acme Corp is a Berlin company" in text and "[1]" in text and "[2]" in text


def test_unknown_things_are_not_invented() -> None:
    assert answer("Who is Zorblax Quinterfield?") == DONT_KNOW["en"]
    assert answer("Кто такой Зорбакс Квинтерфилд?") == DONT_KNOW["ru"]


def test_citations_resolve_and_unknown_numbers_are_reported() -> None:
    context = context_of("Where does Alice Smith work?")
    assert cited_numbers("a [2] b [1][2] c [3, 1]") == [2, 1, 3]
    resolved, unknown = resolve_citations("Acme [1]. Also [99].", context)
    assert [r.number for r in resolved] == [1] and unknown == [99]
    footer = sources_footer(resolved)
    assert footer == "\n\nSources:\n[1] Staff report — hr/2024/staff.txt, passage 1"
    assert strip_sources_footer("Acme [1]." + footer) == "Acme [1]."
