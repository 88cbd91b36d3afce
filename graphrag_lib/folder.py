"""``CycleStorage`` over a folder, for running the pipeline without the service
(``ferag pipeline FOLDER OUT``): the cycle's graphs are Turtle files in ``OUT``, production is
``OUT/production.ttl``, and applying a change set to it stands in for an approval, so running
again on new documents into the same ``OUT`` behaves like successive approved cycles.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from graphrag_lib.documents import SourceDocument, UploadedFile, UploadLimits, read_upload
from graphrag_lib.index import load_tables
from graphrag_lib.index.settings import output_dir
from graphrag_lib.merge import GraphProductionView, ProductionView
from graphrag_lib.merge.config import ChangeSet, ChangeSetStats, apply_change_set
from graphrag_lib.pipeline import StepInputError
from graphrag_lib.schema.terms import ontology_part
from graphrag_lib.tables import GraphRagTables
from graphrag_lib.vocab import RagIris, bind_prefixes

PRODUCTION_FILE = "production.ttl"
ONTOLOGY_FILE = "ontology.ttl"


def read_folder(folder: Path, limits: UploadLimits) -> list[SourceDocument]:
    """Every file below ``folder`` as an upload whose paths are relative to ``folder``."""
    files = [
        UploadedFile(name=path.relative_to(folder).as_posix(), data=path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    return read_upload(files, limits)


class FolderStorage:
    def __init__(self, documents: list[SourceDocument], out_dir: Path, iris: RagIris) -> None:
        self._documents = sorted(documents, key=lambda d: d.path)
        self.out_dir = out_dir
        self.iris = iris
        out_dir.mkdir(parents=True, exist_ok=True)

    def documents(self) -> list[SourceDocument]:
        return self._documents

    def work_dir(self) -> Path:
        return self.out_dir / "graphrag"

    def save_tables(self, output: Path) -> None:
        """GraphRAG wrote them into ``work_dir()`` already."""

    def load_tables(self) -> GraphRagTables:
        try:
            return load_tables(output_dir(self.work_dir()))
        except FileNotFoundError as exc:
            raise StepInputError(str(exc)) from exc

    def write_graph(self, name: str, graph: Graph) -> int:
        return write_turtle(graph, self.out_dir / f"{name}.ttl", self.iris)

    def read_graph(self, name: str) -> Graph:
        return read_turtle(self.out_dir / f"{name}.ttl")

    def production(self) -> ProductionView:
        return GraphProductionView(read_turtle(self.out_dir / PRODUCTION_FILE))

    def approve(self) -> dict[str, int]:
        """Apply the change set to ``production.ttl`` and write the cycle's ontology to
        ``ontology.ttl``; returns the triples of each file written."""
        production = read_turtle(self.out_dir / PRODUCTION_FILE)
        change_set = ChangeSet(self.read_graph("add"), self.read_graph("remove"), ChangeSetStats())
        apply_change_set(production, change_set)
        ontology = ontology_part(self.read_graph("candidate"))
        return {
            ONTOLOGY_FILE: write_turtle(ontology, self.out_dir / ONTOLOGY_FILE, self.iris),
            PRODUCTION_FILE: write_turtle(production, self.out_dir / PRODUCTION_FILE, self.iris),
        }


def read_turtle(path: Path) -> Graph:
    graph = Graph()
    if path.exists():
        graph.parse(path, format="turtle")
    return graph


def write_turtle(graph: Graph, path: Path, iris: RagIris) -> int:
    bind_prefixes(graph, iris)
    graph.serialize(path, format="turtle")
    return len(graph)
