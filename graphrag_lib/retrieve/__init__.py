"""Retrieval for chat: from a question to a numbered, budgeted context and a prompt.

```
question ─► analyse_question (+ as_of) ─► time_scope ─► TimeScope (current view or history)
question ─► analyse_question ─► (service: full-text candidates) ─► rank_candidates ─► linked
linked ─► retrieve_context (SPARQL through a SparqlRunner) ─► RetrievedContext
RetrievedContext + history ─► build_messages ─► model ─► answer ─► resolve_citations
                           └► compose_answer (no model: extractive, same citations)
```

Takes a SPARQL runner and plain values; imports nothing from the service (no FastAPI,
SQLAlchemy, Redis) and reads no environment. See ``docs/chat.md``.
"""

from graphrag_lib.retrieve.citations import (
    cited_numbers,
    resolve_citations,
    sources_footer,
    strip_sources_footer,
)
from graphrag_lib.retrieve.compose import compose_answer, dont_know
from graphrag_lib.retrieve.config import RetrievalConfig
from graphrag_lib.retrieve.context import retrieve_context
from graphrag_lib.retrieve.facts import (
    EntityFact,
    Reference,
    RelationFact,
    RetrievedContext,
    estimate_tokens,
)
from graphrag_lib.retrieve.gather import SparqlRunner
from graphrag_lib.retrieve.link import (
    EntityCandidate,
    IndexedEntity,
    LinkedEntity,
    LinkingConfig,
    rank_candidates,
)
from graphrag_lib.retrieve.prompt import (
    MARKER,
    ContextFact,
    Turn,
    build_messages,
    is_chat_prompt,
    read_context_message,
    render_context,
)
from graphrag_lib.retrieve.query import QueryAnalysis, analyse_question
from graphrag_lib.retrieve.time import TimeScope, time_scope

__all__ = [
    "MARKER",
    "ContextFact",
    "EntityCandidate",
    "EntityFact",
    "IndexedEntity",
    "LinkedEntity",
    "LinkingConfig",
    "QueryAnalysis",
    "Reference",
    "RelationFact",
    "RetrievalConfig",
    "RetrievedContext",
    "SparqlRunner",
    "TimeScope",
    "Turn",
    "analyse_question",
    "build_messages",
    "cited_numbers",
    "compose_answer",
    "dont_know",
    "estimate_tokens",
    "is_chat_prompt",
    "rank_candidates",
    "read_context_message",
    "render_context",
    "resolve_citations",
    "retrieve_context",
    "sources_footer",
    "strip_sources_footer",
    "time_scope",
]
