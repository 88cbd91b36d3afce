"""graphrag_lib: ferag's knowledge pipeline as a plain library.

documents → index (GraphRAG 3.3.0) → to_rdf → schema (ontology induction) → merge (change set).
Each step is a function that takes paths, tables, graphs, configs and an LLM endpoint and returns
results; the library imports nothing from FastAPI, Celery, SQLAlchemy or Redis and reads no
environment. ``ferag`` (under ``code/``) wires it into the API and the worker.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names resolve on first use (PEP 562), so importing one step — the API imports only
# `graphrag_lib.llm` and `graphrag_lib.documents` — does not load pandas and every other step.
_EXPORTS: dict[str, str] = {
    "ChangeSet": "graphrag_lib.merge",
    "ChangeSetStats": "graphrag_lib.merge",
    "ChatModel": "graphrag_lib.llm",
    "DocumentMeta": "graphrag_lib.to_rdf",
    "FERAG": "graphrag_lib.vocab",
    "GraphProductionView": "graphrag_lib.merge",
    "GraphRagTables": "graphrag_lib.tables",
    "LinkedEntity": "graphrag_lib.retrieve",
    "LinkingConfig": "graphrag_lib.retrieve",
    "LlmEndpoint": "graphrag_lib.llm",
    "LlmError": "graphrag_lib.llm",
    "LlmRejected": "graphrag_lib.llm",
    "LlmUnavailable": "graphrag_lib.llm",
    "MergeConfig": "graphrag_lib.merge",
    "OpenAILikeChat": "graphrag_lib.llm",
    "ProductionView": "graphrag_lib.merge",
    "RagIris": "graphrag_lib.vocab",
    "RetrievalConfig": "graphrag_lib.retrieve",
    "RetrievedContext": "graphrag_lib.retrieve",
    "SchemaConfig": "graphrag_lib.schema",
    "SchemaResult": "graphrag_lib.schema",
    "SparqlRunner": "graphrag_lib.retrieve",
    "analyse_question": "graphrag_lib.retrieve",
    "apply_change_set": "graphrag_lib.merge",
    "build_messages": "graphrag_lib.retrieve",
    "compose_answer": "graphrag_lib.retrieve",
    "compute_change_set": "graphrag_lib.merge",
    "entity_key": "graphrag_lib.vocab",
    "induce_schema": "graphrag_lib.schema",
    "normalise_label": "graphrag_lib.vocab",
    "rank_candidates": "graphrag_lib.retrieve",
    "retrieve_context": "graphrag_lib.retrieve",
    "tables_to_rdf": "graphrag_lib.to_rdf",
}


__all__ = [
    # --- the RDF half: tables, vocab, llm client, to_rdf, schema, merge ---
    "FERAG",
    "ChangeSet",
    "ChangeSetStats",
    "ChatModel",
    "DocumentMeta",
    "GraphProductionView",
    "GraphRagTables",
    "LlmEndpoint",
    "LlmError",
    "LlmRejected",
    "LlmUnavailable",
    "MergeConfig",
    "OpenAILikeChat",
    "ProductionView",
    "RagIris",
    "SchemaConfig",
    "SchemaResult",
    "apply_change_set",
    "compute_change_set",
    "entity_key",
    "induce_schema",
    "normalise_label",
    "tables_to_rdf",
    # --- end of the RDF half ---
]
__all__ += [  # retrieve: chat context from the graph (docs/chat.md)
    "LinkedEntity",
    "LinkingConfig",
    "RetrievalConfig",
    "RetrievedContext",
    "SparqlRunner",
    "analyse_question",
    "build_messages",
    "compose_answer",
    "rank_candidates",
    "retrieve_context",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'graphrag_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
