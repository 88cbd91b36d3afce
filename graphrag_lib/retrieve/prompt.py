"""The chat prompt: instructions, recent turns, and the numbered context of one question.

The user message is line-oriented under fixed headings so that the offline stand-in
(``ferag.llm.standin.chat``) can read it back with ``read_context_message``; change both
together. ``MARKER`` opens the system message and the context.

```
system     MARKER + rules (cite [n], context only, say when it does not know, question's language)
user/asst  the recent turns of the session, oldest first
user       MARKER context / Question / Entities / Relations / Sources / Question
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphrag_lib.retrieve.facts import (
    REPORT_PREFIX,
    RetrievedContext,
    entity_line,
    reference_line,
    relation_line,
)

MARKER = "ferag chat v1"
QUESTION = "Question:"
HEADINGS = ("Entities:", "Relations:", "Sources:")

SYSTEM_PROMPT = f"""{MARKER}
You answer questions about a knowledge base built from the user's documents.
Rules:
1. Use only the entities, relations and sources given in the context; no outside knowledge.
2. After each statement, cite the numbered sources it rests on, like [1] or [2][3]. Cite only \
numbers that appear under "Sources:".
3. If the context does not answer the question, say that the knowledge base has no \
information about it. Do not guess.
4. Answer in the language of the question, briefly."""

EMPTY_CONTEXT = "(nothing in the knowledge base matches this question)"


@dataclass(frozen=True)
class Turn:
    """One earlier message of the session: ``role`` is ``user`` or ``assistant``."""

    role: str
    content: str


def render_context(question: str, context: RetrievedContext) -> str:
    """The user message: the question, the context sections and the question again (models
    attend best to what comes last)."""
    lines = [f"{MARKER} context", f"{QUESTION} {question}", ""]
    if context.is_empty:
        lines += [EMPTY_CONTEXT, ""]
    if context.entities:
        lines += [HEADINGS[0], *(entity_line(f) for f in context.entities), ""]
    if context.relations:
        lines += [HEADINGS[1], *(relation_line(f) for f in context.relations), ""]
    if context.references:
        lines += [HEADINGS[2], *(reference_line(r) for r in context.references), ""]
    lines.append(f"{QUESTION} {question}")
    return "\n".join(lines)


def build_messages(
    question: str, context: RetrievedContext, history: Sequence[Turn] = ()
) -> list[dict[str, str]]:
    """OpenAI-style chat messages for one question."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    messages += [{"role": t.role, "content": t.content} for t in history]
    messages.append({"role": "user", "content": render_context(question, context)})
    return messages


# --- reading the prompt back (the stand-in) ------------------------------------------------------


@dataclass(frozen=True)
class ContextFact:
    """A line of the context as the stand-in reads it: its text and cited numbers."""

    kind: str  # entity | relation | source | report
    text: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class ContextMessage:
    question: str
    facts: tuple[ContextFact, ...]


_REFS_AT_END = re.compile(r"((?:\s*\[\d+\])+)\s*$")
_SOURCE = re.compile(r'^\[(\d+)\] (?P<where>[^"]*?)(?::\s"(?P<text>.*)")?$')
_FACT_KINDS = {HEADINGS[0]: "entity", HEADINGS[1]: "relation", HEADINGS[2]: "source"}


def is_chat_prompt(messages: Sequence[dict[str, str]]) -> bool:
    return any(m.get("role") == "system" and MARKER in m.get("content", "") for m in messages)


def _fact(kind: str, line: str) -> ContextFact | None:
    if kind == "source":
        match = _SOURCE.match(line)
        if match is None or not match["text"]:
            return None
        is_report = match["where"].startswith(REPORT_PREFIX)
        return ContextFact("report" if is_report else kind, match["text"], (int(match.group(1)),))
    if not line.startswith("- "):
        return None
    body = line[2:]
    refs_match = _REFS_AT_END.search(body)
    refs = tuple(int(n) for n in re.findall(r"\d+", refs_match.group(1))) if refs_match else ()
    text = body[: refs_match.start()] if refs_match else body
    return ContextFact(kind, text.strip(), refs)


def read_context_message(text: str) -> ContextMessage | None:
    """The question and facts of a context message built by ``render_context``."""
    if not text.startswith(f"{MARKER} context"):
        return None
    question, kind, facts = "", "", []
    for line in text.splitlines():
        if line.startswith(QUESTION):
            question = line[len(QUESTION) :].strip()
        elif line in _FACT_KINDS:
            kind = _FACT_KINDS[line]
        elif kind and line and (fact := _fact(kind, line)):
            facts.append(fact)
    return ContextMessage(question, tuple(facts))
