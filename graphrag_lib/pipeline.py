"""The whole pipeline on a folder, without the service: documents → index → to_rdf → schema →
merge, with the results written as Turtle files.

``OUT/production.ttl`` is the merged graph; running again on a new folder into the same ``OUT``
merges into it, so the command line behaves like successive approved cycles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from graphrag_lib.documents import SourceDocument, UploadedFile, UploadLimits, read_upload
from graphrag_lib.index import IndexConfig, index_documents, load_tables
from graphrag_lib.llm import LlmEndpoint, OpenAILikeChat
from graphrag_lib.merge import (
    GraphProductionView,
    MergeConfig,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.progress import NO_PROGRESS, ProgressCallback
from graphrag_lib.schema import SchemaConfig, induce_schema
from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
from graphrag_lib.vocab import RagIris, bind_prefixes

logger = logging.getLogger(__name__)

STEPS: tuple[str, ...] = ("documents", "index", "to_rdf", "schema", "merge")
PRODUCTION_FILE = "production.ttl"

StepProgress = Callable[[str], ProgressCallback]
"""Given a step name, the callback that step reports to."""


@dataclass(frozen=True)
class PipelineResult:
    documents: int
    triples: dict[str, int] = field(default_factory=dict)  # file name -> triples written


def read_folder(folder: Path, limits: UploadLimits) -> list[SourceDocument]:
    """Every file below ``folder`` as an upload whose paths are relative to ``folder``."""
    files = [
        UploadedFile(name=path.relative_to(folder).as_posix(), data=path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    return read_upload(files, limits)


def run_pipeline(
    folder: Path,
    out_dir: Path,
    endpoint: LlmEndpoint,
    iris: RagIris,
    progress: StepProgress = lambda step: NO_PROGRESS,
    *,
    index_options: Mapping[str, Any] | None = None,
    schema_config: SchemaConfig | None = None,
    merge_config: MergeConfig | None = None,
) -> PipelineResult:
    """Run the steps; ``index_options`` are ``IndexConfig`` fields other than the endpoint and
    the cache directory (language, chunking, entity types…). Absent: the library defaults."""
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = read_folder(folder, UploadLimits())
    progress("documents")(len(documents), len(documents), f"{len(documents)} documents")
    config = IndexConfig(endpoint=endpoint, cache_dir=out_dir / "cache", **(index_options or {}))
    indexed = index_documents(documents, out_dir / "graphrag", config, progress("index"))
    metas = [
        DocumentMeta(path=d.path, title=d.title, format=d.format, date=d.date) for d in documents
    ]
    extracted = tables_to_rdf(load_tables(indexed.output_dir), iris, metas)
    progress("to_rdf")(1, 1, f"{len(extracted)} triples")
    production = _load_production(out_dir / PRODUCTION_FILE)
    schema = induce_schema(
        extracted,
        production,
        OpenAILikeChat(endpoint),
        schema_config or SchemaConfig(),
        progress("schema"),
        iris=iris,
    )
    candidate = schema.typed + schema.ontology
    view = GraphProductionView(production)
    change_set = compute_change_set(candidate, view, iris, merge_config or MergeConfig())
    apply_change_set(production, change_set)
    progress("merge")(1, 1, f"+{len(change_set.add)} -{len(change_set.remove)} triples")
    outputs = {
        "extracted.ttl": extracted,
        "ontology.ttl": schema.ontology,
        "add.ttl": change_set.add,
        "remove.ttl": change_set.remove,
        PRODUCTION_FILE: production,
    }
    triples = {name: _write(graph, out_dir / name, iris) for name, graph in outputs.items()}
    return PipelineResult(documents=len(documents), triples=triples)


def _load_production(path: Path) -> Graph:
    graph = Graph()
    if path.exists():
        graph.parse(path, format="turtle")
    return graph


def _write(graph: Graph, path: Path, iris: RagIris) -> int:
    bind_prefixes(graph, iris)
    graph.serialize(path, format="turtle")
    return len(graph)
