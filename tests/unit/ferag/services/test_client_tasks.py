"""Chat clients' background tasks are told apart from questions by how Open WebUI marks them."""

from __future__ import annotations

import json

import pytest

from ferag.services.client_tasks import TaskKind, answer_task, recognise_task


def task_prompt(instruction: str, output: str, chat: str) -> str:
    """A task request shaped like Open WebUI's (our wording; its markers)."""
    return (
        f"### Task:\n{instruction}\n### Output:\nJSON format: {output}\n"
        f"### Chat History:\n<chat_history>\n{chat}\n</chat_history>"
    )


CHAT = "USER: Where does Alice Smith work today?\nASSISTANT: At Acme Corp [1]."


@pytest.mark.parametrize(
    ("output", "kind", "answer"),
    [
        ('{ "title": "a title" }', TaskKind.TITLE, {"title": "Where does Alice Smith work"}),
        ('{ "tags": ["a", "b"] }', TaskKind.TAGS, {"tags": ["General"]}),
        ('{ "follow_ups": ["Q?"] }', TaskKind.FOLLOW_UPS, {"follow_ups": []}),
        (
            '{ "queries": ["q"] }',
            TaskKind.QUERIES,
            {"queries": ["Where does Alice Smith work today?"]},
        ),
        ('{ "text": "more" }', TaskKind.AUTOCOMPLETE, {"text": ""}),
    ],
)
def test_tasks_are_answered_in_the_shape_asked_for(
    output: str, kind: TaskKind, answer: dict[str, object]
) -> None:
    task = recognise_task(task_prompt("Do the thing.", output, CHAT))
    assert task is not None and task.kind is kind
    assert json.loads(answer_task(task)) == answer


def test_a_multiline_question_is_quoted_whole() -> None:
    chat = "USER: Who leads\nProject Falcon?\nASSISTANT: Bob [2]\nUSER: And its budget?"
    task = recognise_task(task_prompt("Suggest queries.", '{ "queries": [] }', chat))
    assert task is not None
    assert task.questions == ["Who leads\nProject Falcon?", "And its budget?"]


@pytest.mark.parametrize(
    "text",
    [
        "Where does Alice Smith work?",
        "Tell me about ### Task: in markdown <chat_history></chat_history>",
        # Open WebUI's retrieval template also opens with the mark, but quotes no chat
        '### Task:\nRespond using the context.\n<context><source id="1">…</source></context>',
        task_prompt("Summarise.", '{ "summary": "…" }', CHAT),  # a task we do not know
    ],
)
def test_questions_are_not_tasks(text: str) -> None:
    assert recognise_task(text) is None


def test_a_title_without_a_quoted_question_is_still_a_title() -> None:
    task = recognise_task(task_prompt("Title it.", '{ "title": "…" }', "ASSISTANT: Hello"))
    assert task is not None
    assert json.loads(answer_task(task))["title"]
