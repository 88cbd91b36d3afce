"""Where the service keeps a cycle's work: documents and GraphRAG's tables in PostgreSQL (so a
worker on another host can run any step), graphs in the RAG's space of the triple store.

``ServiceStorage`` is the ``graphrag_lib.pipeline.CycleStorage`` the worker runs steps on.
Every write replaces what an earlier run of the same step wrote (artifact upsert, Graph Store
PUT), so running a step twice leaves the same state as running it once.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from ferag.db.models import CycleArtifact, Document
from ferag.services.entity_index import find_by_keys
from ferag.store.production import SparqlProductionView
from ferag.store.space import RagSpace
from graphrag_lib.documents import SourceDocument, metadata_date
from graphrag_lib.index import load_tables
from graphrag_lib.merge import ProductionView
from graphrag_lib.merge.resolve import MAX_BUCKET
from graphrag_lib.pipeline import StepInputError
from graphrag_lib.tables import GraphRagTables

TABLES_ARTIFACT = "graphrag_tables.zip"


class IndexedProductionView(SparqlProductionView):
    """Production over SPARQL, with name keys answered by the chat entity index (PostgreSQL),
    which approvals and rollbacks keep in step with production."""

    def __init__(self, space: RagSpace, session_factory: sessionmaker[Session]) -> None:
        super().__init__(space)
        self.session_factory = session_factory

    def find_by_keys(self, keys: Collection[str]) -> dict[str, set[URIRef]]:
        with self.session_factory() as db:
            found = find_by_keys(db, self.space.rag_id, keys, limit=MAX_BUCKET + 1)
        return {key: {URIRef(iri) for iri in iris} for key, iris in found.items()}


@dataclass(frozen=True)
class ServiceStorage:
    session_factory: sessionmaker[Session]
    space: RagSpace
    cycle_id: int
    home: Path  # FERAG_HOME: GraphRAG's work files go below it

    def documents(self) -> list[SourceDocument]:
        with self.session_factory() as db:
            rows = db.scalars(
                select(Document).where(Document.cycle_id == self.cycle_id).order_by(Document.path)
            )
            return [
                SourceDocument(
                    path=d.path,
                    title=d.title,
                    format=d.format,
                    text=d.text,
                    encoding=d.encoding,
                    date=d.document_date,
                    sha256=d.sha256,
                    size=d.size,
                    # derived again from the stored original: no column holds it (cheap: the
                    # metadata readers parse headers, not text)
                    metadata_date=metadata_date(d.path, d.format, d.original),
                )
                for d in rows
            ]

    def work_dir(self) -> Path:
        return self.home / "work" / f"rag-{self.space.rag_id}" / f"cycle-{self.cycle_id}"

    def save_tables(self, output_dir: Path) -> None:
        self._save_artifact(TABLES_ARTIFACT, _zip_dir(output_dir))

    def load_tables(self) -> GraphRagTables:
        data = self._load_artifact(TABLES_ARTIFACT)
        with tempfile.TemporaryDirectory() as tmp:
            _unzip(data, Path(tmp))
            return load_tables(Path(tmp))

    def write_graph(self, name: str, graph: Graph) -> int:
        payload = graph.serialize(format="nt", encoding="utf-8")
        self.space.put_graph(self._graph(name), payload)
        return len(graph)

    def read_graph(self, name: str) -> Graph:
        data = self.space.get_graph(self._graph(name))
        return Graph().parse(data=data.decode(), format="nt")

    def production(self) -> ProductionView:
        return IndexedProductionView(self.space, self.session_factory)

    def _graph(self, name: str) -> str:
        return self.space.cycle_graph(self.cycle_id, name)

    def _save_artifact(self, name: str, content: bytes) -> None:
        statement = insert(CycleArtifact).values(cycle_id=self.cycle_id, name=name, content=content)
        statement = statement.on_conflict_do_update(
            constraint="uq_cycle_artifacts_cycle_id", set_={"content": content}
        )
        with self.session_factory() as db:
            db.execute(statement)
            db.commit()

    def _load_artifact(self, name: str) -> bytes:
        with self.session_factory() as db:
            content = db.scalar(
                select(CycleArtifact.content).where(
                    CycleArtifact.cycle_id == self.cycle_id, CycleArtifact.name == name
                )
            )
        if content is None:
            raise StepInputError(
                f"artifact {name} of cycle {self.cycle_id} is missing; "
                "retry the cycle so the step that writes it runs again"
            )
        return bytes(content)


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
