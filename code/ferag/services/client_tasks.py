"""Background tasks of chat clients, recognised and answered without the graph or a model.

Open WebUI asks the chat's model, besides the user's questions, for a chat title, tags,
follow-up questions, search queries and autocompletions. Each such request is one user
message that opens with ``### Task:``, quotes the chat between ``<chat_history>`` tags (one
``USER: …`` or ``ASSISTANT: …`` line per message) and asks for one JSON object, whose key names
the task: ``title``, ``tags``, ``follow_ups``, ``queries`` or (autocompletion) ``text``.

Sent to a RAG as questions they would cost a retrieval, a model call, a stored session and a
place in the user's rate limit each, and answer nothing useful. So they are answered here, in
the JSON shape the client parses: a title of the first question's first words, a general tag,
no follow-ups, the latest question as the search query, no autocompletion. Open WebUI's own
retrieval template (the context of attached files, also opening with ``### Task:``) names none
of these keys and quotes no chat, so it stays a question.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

TASK_MARK = "### Task:"
HISTORY = re.compile(r"<chat_history>(.*?)</chat_history>", re.DOTALL)
LINE_ROLE = re.compile(r"^(USER|ASSISTANT|SYSTEM):\s?", re.MULTILINE)
TITLE_WORDS = 5
TITLE_TRIM = " \t\n.,;:!?¿¡…\"'«»()[]"
FALLBACK_TITLE = "Knowledge base chat"


class TaskKind(StrEnum):
    """A task, named by the JSON key its prompt asks for."""

    FOLLOW_UPS = "follow_ups"
    QUERIES = "queries"
    TAGS = "tags"
    TITLE = "title"
    AUTOCOMPLETE = "text"


# A prompt shows examples of its own key only; checked in this order, the most specific first.
_KEYS = {kind: re.compile(rf'\{{\s*"{kind.value}"\s*:') for kind in TaskKind}


@dataclass(frozen=True)
class ClientTask:
    kind: TaskKind
    questions: list[str]  # the user's messages quoted in the task, oldest first


def _quoted_questions(prompt: str) -> list[str]:
    """The ``USER:`` messages of the chat the prompt quotes (a message may span lines)."""
    found = HISTORY.search(prompt)
    if found is None:
        return []
    parts = LINE_ROLE.split(found.group(1))
    # split gives [before, role, text, role, text, …]
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return [text.strip() for role, text in pairs if role == "USER" and text.strip()]


def recognise_task(last_user_message: str) -> ClientTask | None:
    """The client task ``last_user_message`` asks for, or None for a question."""
    prompt = last_user_message.lstrip()
    if not prompt.startswith(TASK_MARK) or HISTORY.search(prompt) is None:
        return None
    kind = next((kind for kind, key in _KEYS.items() if key.search(prompt)), None)
    return None if kind is None else ClientTask(kind, _quoted_questions(prompt))


def title_of(question: str) -> str:
    """The first few words of ``question``, without closing punctuation."""
    words = question.split()[:TITLE_WORDS]
    return " ".join(words).strip(TITLE_TRIM) or FALLBACK_TITLE


def answer_task(task: ClientTask) -> str:
    """The task's answer: one JSON object in the shape the client parses."""
    first = task.questions[0] if task.questions else ""
    latest = task.questions[-1] if task.questions else ""
    answers: dict[TaskKind, object] = {
        TaskKind.TITLE: title_of(first),
        TaskKind.TAGS: ["General"],
        TaskKind.FOLLOW_UPS: [],
        TaskKind.QUERIES: [latest] if latest else [],
        TaskKind.AUTOCOMPLETE: "",
    }
    return json.dumps({task.kind.value: answers[task.kind]}, ensure_ascii=False)
