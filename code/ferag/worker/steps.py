"""The cycle's steps as thin adapters: read inputs from storage, call one ``graphrag_lib``
function, write the result to storage (a cycle artifact or a named graph), return stats.

Every write replaces what a previous run of the same step wrote (artifact upsert, Graph Store
PUT), so running a step twice leaves the same state as running it once.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ferag.cycle.configs import StageConfigs, cycle_stage_configs
from ferag.db.models import CycleArtifact, Document
from ferag.store.production import SparqlProductionView, production_graph
from ferag.worker.runtime import WorkerRuntime
from graphrag_lib.documents import SourceDocument
from graphrag_lib.index import index_documents, load_tables
from graphrag_lib.llm import OpenAILikeChat
from graphrag_lib.merge import compute_change_set
from graphrag_lib.progress import ProgressCallback
from graphrag_lib.schema import induce_schema
from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
from graphrag_lib.vocab import RagIris

TABLES_ARTIFACT = "graphrag_tables.zip"


@dataclass(frozen=True)
class StepContext:
    runtime: WorkerRuntime
    rag_id: int
    cycle_id: int
    progress: ProgressCallback

    @property
    def iris(self) -> RagIris:
        return RagIris(str(self.runtime.settings.base_iri), str(self.rag_id))

    def graph_name(self, name: str) -> str:
        return str(self.iris.graph(f"cycle/{self.cycle_id}/{name}"))

    def read_graph(self, name: str) -> Graph:
        data = self.runtime.store.get_graph(self.rag_id, self.graph_name(name))
        return Graph().parse(data=data.decode(), format="nt")

    def write_graph(self, name: str, graph: Graph) -> int:
        payload = graph.serialize(format="nt", encoding="utf-8")
        self.runtime.store.put_graph(self.rag_id, self.graph_name(name), payload)
        return len(graph)


Step = Callable[[StepContext], dict[str, Any]]


def _documents(ctx: StepContext) -> list[Document]:
    with ctx.runtime.session_factory() as db:
        rows = db.scalars(
            select(Document).where(Document.cycle_id == ctx.cycle_id).order_by(Document.path)
        )
        return list(rows)


def _stage_configs(ctx: StepContext) -> StageConfigs:
    with ctx.runtime.session_factory() as db:
        return cycle_stage_configs(db, ctx.runtime.settings, ctx.rag_id, ctx.cycle_id)


def index(ctx: StepContext) -> dict[str, Any]:
    """GraphRAG over the cycle's documents; its tables become a cycle artifact."""
    documents = [
        SourceDocument(
            path=d.path,
            title=d.title,
            format=d.format,
            text=d.text,
            encoding=d.encoding,
            date=d.document_date,
            sha256=d.sha256,
            size=d.size,
        )
        for d in _documents(ctx)
    ]
    settings = ctx.runtime.settings
    work_dir = settings.home / "work" / f"rag-{ctx.rag_id}" / f"cycle-{ctx.cycle_id}"
    configs = _stage_configs(ctx)
    config = configs.index_config(ctx.runtime.llm_endpoint, settings.home / "cache")
    result = index_documents(documents, work_dir, config, ctx.progress)
    _save_artifact(ctx, TABLES_ARTIFACT, _zip_dir(result.output_dir))
    tables = load_tables(result.output_dir)
    return {
        "entities": len(tables.entities),
        "relationships": len(tables.relationships),
        "text_units": len(tables.text_units),
        "communities": len(tables.communities),
        **configs.stats,
    }


def to_rdf(ctx: StepContext) -> dict[str, Any]:
    """GraphRAG's tables as RDF, in graph ``cycle/{id}/extracted``."""
    metas = [
        DocumentMeta(path=d.path, title=d.title, format=d.format, date=d.document_date)
        for d in _documents(ctx)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        _unzip(_load_artifact(ctx, TABLES_ARTIFACT), Path(tmp))
        tables = load_tables(Path(tmp))
    graph = tables_to_rdf(tables, ctx.iris, metas)
    return {"triples": ctx.write_graph("extracted", graph)}


def schema(ctx: StepContext) -> dict[str, Any]:
    """Induce the ontology and type the instances, in graph ``cycle/{id}/candidate``."""
    production = SparqlProductionView(ctx.runtime.store, ctx.rag_id, ctx.iris)
    llm = OpenAILikeChat(ctx.runtime.llm_endpoint)
    config = _stage_configs(ctx).schema
    result = induce_schema(
        ctx.read_graph("extracted"), production.ontology(), llm, config, ctx.progress
    )
    candidate = result.typed + result.ontology
    return {
        "triples": ctx.write_graph("candidate", candidate),
        "ontology_triples": len(result.ontology),
    }


def merge(ctx: StepContext) -> dict[str, Any]:
    """The change set against production: graphs ``cycle/{id}/add`` and ``cycle/{id}/remove``."""
    production = SparqlProductionView(ctx.runtime.store, ctx.rag_id, ctx.iris)
    change_set = compute_change_set(
        ctx.read_graph("candidate"), production, ctx.iris, _stage_configs(ctx).merge
    )
    added = ctx.write_graph("add", change_set.add)
    removed = ctx.write_graph("remove", change_set.remove)
    return {"add": added, "remove": removed, **asdict(change_set.stats)}


def staging(ctx: StepContext) -> dict[str, Any]:
    """Check the staged change set is in place; the cycle then waits for review."""
    add = ctx.runtime.store.get_graph(ctx.rag_id, ctx.graph_name("add"))
    remove = ctx.runtime.store.get_graph(ctx.rag_id, ctx.graph_name("remove"))
    return {
        "staged_add": add.count(b"\n"),
        "staged_remove": remove.count(b"\n"),
        "production_graph": production_graph(ctx.iris),
    }


STEPS: dict[str, Step] = {
    "index": index,
    "to_rdf": to_rdf,
    "schema": schema,
    "merge": merge,
    "staging": staging,
}


def _zip_dir(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.parquet")):
            archive.write(path, path.name)
    return buffer.getvalue()


def _unzip(data: bytes, folder: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():  # names are our own, written by _zip_dir
            (folder / Path(name).name).write_bytes(archive.read(name))


def _save_artifact(ctx: StepContext, name: str, content: bytes) -> None:
    statement = insert(CycleArtifact).values(cycle_id=ctx.cycle_id, name=name, content=content)
    statement = statement.on_conflict_do_update(
        constraint="uq_cycle_artifacts_cycle_id", set_={"content": content}
    )
    with ctx.runtime.session_factory() as db:
        db.execute(statement)
        db.commit()


def _load_artifact(ctx: StepContext, name: str) -> bytes:
    with ctx.runtime.session_factory() as db:
        content = db.scalar(
            select(CycleArtifact.content).where(
                CycleArtifact.cycle_id == ctx.cycle_id, CycleArtifact.name == name
            )
        )
    if content is None:
        raise RuntimeError(
            f"artifact {name} of cycle {ctx.cycle_id} is missing; "
            "retry the cycle so the step that writes it runs again"
        )
    return bytes(content)
