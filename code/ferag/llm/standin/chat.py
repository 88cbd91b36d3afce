"""The stand-in's answer to ferag's chat prompt (``graphrag_lib.retrieve.prompt``).

Rule-based, not a model: it recognises the prompt by ``MARKER`` in the system message, reads
the numbered facts and sources back from the last user message, and answers with the
statements that share the most words with the question, each with its citation
(``graphrag_lib.retrieve.compose_answer``). With an empty or unrelated context it says it does
not know, in the question's language.

Use it as ``create_app(rules=(*CHAT_RULES, *DEFAULT_RULES))``.
"""

from __future__ import annotations

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.rules import Rule
from graphrag_lib.retrieve import MARKER, compose_answer, dont_know, read_context_message


def is_chat_prompt(request: ChatCompletionRequest) -> bool:
    return any(m.role == "system" and MARKER in m.text for m in request.messages)


def respond_to_chat(request: ChatCompletionRequest) -> str:
    text = request.last_user_text()
    context = read_context_message(text)
    if context is None:
        return dont_know(text)
    return compose_answer(context.question, context.facts)


CHAT_RULES: tuple[Rule, ...] = (
    Rule("ferag-chat", matches=is_chat_prompt, respond=respond_to_chat),
)
