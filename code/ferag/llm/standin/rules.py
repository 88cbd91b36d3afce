"""How the offline model stand-in picks a chat reply: ``Rule`` objects (a matcher and a
responder), tried in order, the first match answering.

Rule modules (``chat``, ``schema``, ``graphrag``) build on this module and on the request type
(``ferag.llm.openai_wire.ChatCompletionRequest``), never on the server (``app``), so the server
can import them at its top. ``DEFAULT_RULES`` holds the generic extractive rule, which matches
everything and must stay last.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ferag.llm.openai_wire import ChatCompletionRequest

Matcher = Callable[[ChatCompletionRequest], bool]
Responder = Callable[[ChatCompletionRequest], str]


@dataclass(frozen=True)
class Rule:
    """Answer requests that ``matches`` accepts with the text ``respond`` returns."""

    name: str
    matches: Matcher
    respond: Responder


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
EXTRACT_SENTENCES = 2
EXTRACT_MAX_WORDS = 60


def respond_extractively(request: ChatCompletionRequest) -> str:
    """The first sentences of the last user message, at most ``EXTRACT_MAX_WORDS`` words."""
    text = " ".join(request.last_user_text().split())
    if not text:
        return "There is no user message to answer."
    reply = " ".join(_SENTENCE_END.split(text)[:EXTRACT_SENTENCES])
    words = reply.split()
    if len(words) > EXTRACT_MAX_WORDS:
        reply = " ".join(words[:EXTRACT_MAX_WORDS]) + " …"
    return reply


PairVerdict = Callable[[dict[str, Any]], tuple[str, str]]


def answer_pairs(request: ChatCompletionRequest, judge: PairVerdict) -> str:
    """The answer to a judge's batch prompt (resolution, facts): the ``{"pairs": [...]}`` JSON
    of the last user message judged pair by pair, as ``{"answers": [{id, verdict, reason}]}``.
    Malformed input gets no answers, as a weak model's reply would."""
    text = request.last_user_text()
    start = text.find("{")
    try:
        pairs = json.loads(text[start:]).get("pairs", []) if start >= 0 else []
    except ValueError:
        pairs = []
    answers = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, dict):
            verdict, reason = judge(pair)
            answers.append({"id": str(pair.get("id")), "verdict": verdict, "reason": reason})
    return json.dumps({"answers": answers}, ensure_ascii=False)


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("extractive", matches=lambda _request: True, respond=respond_extractively),
)
