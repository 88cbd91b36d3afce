"""The library's public surface: what ``graphrag_lib`` exports, pinned block by block.

Each part of the pipeline pins its own names here; adding a name to ``graphrag_lib.__all__``
without pinning it (or the reverse) fails.
"""

from __future__ import annotations

import subprocess
import sys

import graphrag_lib

RDF_HALF = {
    "FERAG", "ChangeSet", "ChangeSetStats", "ChatModel", "DocumentMeta", "GraphProductionView",
    "GraphRagTables", "LlmEndpoint", "LlmError", "LlmRejected", "LlmUnavailable", "MergeConfig",
    "OpenAILikeChat", "ProductionView", "RagIris", "SchemaConfig", "SchemaResult",
    "apply_change_set", "compute_change_set", "entity_key", "induce_schema", "normalise_label",
    "tables_to_rdf",
}  # fmt: skip
RETRIEVE = {
    "LinkedEntity", "LinkingConfig", "RetrievalConfig", "RetrievedContext", "SparqlRunner",
    "analyse_question", "build_messages", "compose_answer", "rank_candidates", "retrieve_context",
}  # fmt: skip
# Other parts of the pipeline (documents, index) add their own block here.
PINNED_BLOCKS: dict[str, set[str]] = {"rdf": RDF_HALF, "retrieve": RETRIEVE}


def test_the_rdf_half_is_exported() -> None:
    assert set(graphrag_lib.__all__) >= RDF_HALF


def test_every_exported_name_is_pinned() -> None:
    assert set(graphrag_lib.__all__) == set().union(*PINNED_BLOCKS.values())


def test_exported_names_are_unique_and_come_from_the_library() -> None:
    assert len(graphrag_lib.__all__) == len(set(graphrag_lib.__all__))
    for name in graphrag_lib.__all__:
        member = getattr(graphrag_lib, name)
        assert getattr(member, "__module__", "graphrag_lib").startswith("graphrag_lib"), name


def test_the_library_imports_nothing_from_the_service() -> None:
    code = (
        "import sys, graphrag_lib, graphrag_lib.to_rdf, graphrag_lib.schema, graphrag_lib.merge\n"
        "import graphrag_lib.retrieve\n"
        "service = {'ferag', 'fastapi', 'starlette', 'celery', 'sqlalchemy', 'redis'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in service))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
