"""The offline model stand-in: a deterministic, rule-based OpenAI-compatible HTTP server (not a
model) that lets the whole stack run with no model server.

    app       the server (``create_app``), its answers' wire format, embeddings
    rules     ``Rule`` and the generic extractive rule (``DEFAULT_RULES``)
    chat      the rule for ferag's chat prompt
    schema    the rule for the schema-induction prompt
    resolution  the rule for entity resolution's judge prompt
    graphrag  the rules for GraphRAG's indexing prompts

Requests are OpenAI's wire types shared with the API (``ferag.llm.openai_wire``). Rule modules
import ``rules`` and ``openai_wire``, never this package's ``__init__`` or ``app``, so nothing
here imports in a loop. Run it with ``python -m uvicorn --factory ferag.llm.standin:create_app``.
"""

from __future__ import annotations

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.app import (
    CHAT_MODEL,
    EMBEDDING_MODEL,
    OWNER,
    answer,
    create_app,
    embed_text,
    embeddings_body,
    prompt_rules,
)
from ferag.llm.standin.rules import DEFAULT_RULES, Rule

__all__ = [
    "CHAT_MODEL",
    "DEFAULT_RULES",
    "EMBEDDING_MODEL",
    "OWNER",
    "ChatCompletionRequest",
    "Rule",
    "answer",
    "create_app",
    "embed_text",
    "embeddings_body",
    "prompt_rules",
]
