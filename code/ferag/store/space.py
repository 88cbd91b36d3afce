"""A RAG's part of the triple store, named in one place.

``RagSpace`` carries what callers used to pass around as ``(store, iris, rag_id, …)``: the
store client, the RAG's id and the ``RagIris`` that mints its IRIs; it sends requests to the
RAG's space (``select``, ``ask``, ``construct``, ``update``), and it names every graph of the
RAG. No other module builds a graph name::

    {base}rag/{id}/graph/prod                  production (data + ontology)
    {base}rag/{id}/graph/meta                  the version marker of production
    {base}rag/{id}/graph/cycle/{cid}/{name}    a cycle's graphs, ``CYCLE_GRAPHS``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris

PRODUCTION = "prod"
META = "meta"
CYCLE_GRAPHS: tuple[str, ...] = ("extracted", "candidate", "add", "remove", "violations")
"""The graphs a cycle writes, in the order its steps write them."""


@dataclass(frozen=True)
class RagSpace:
    store: TripleStore
    rag_id: int
    iris: RagIris

    @classmethod
    def of(cls, store: TripleStore, base_iri: str, rag_id: int) -> RagSpace:
        return cls(store, rag_id, RagIris(base_iri, str(rag_id)))

    @property
    def prod(self) -> str:
        """The production graph's IRI."""
        return str(self.iris.graph(PRODUCTION))

    @property
    def meta(self) -> str:
        """The graph that holds production's version marker."""
        return str(self.iris.graph(META))

    def cycle_graph(self, cycle_id: int, name: str) -> str:
        """Graph ``name`` (one of ``CYCLE_GRAPHS``) of cycle ``cycle_id``."""
        if name not in CYCLE_GRAPHS:
            raise ValueError(f"unknown cycle graph {name!r}; one of {', '.join(CYCLE_GRAPHS)}")
        return str(self.iris.graph(f"cycle/{cycle_id}/{name}"))

    def cycle_graphs(self, cycle_id: int) -> list[str]:
        return [self.cycle_graph(cycle_id, name) for name in CYCLE_GRAPHS]

    # The store's requests on this RAG's space (``store.select(rag_id, …)`` and so on).

    def select(self, query: str) -> list[dict[str, Any]]:
        return self.store.select(self.rag_id, query)

    def ask(self, query: str) -> bool:
        return self.store.ask(self.rag_id, query)

    def construct(self, query: str) -> bytes:
        return self.store.construct(self.rag_id, query)

    def update(self, update: str) -> None:
        self.store.update(self.rag_id, update)

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        self.store.put_graph(self.rag_id, graph, ntriples)

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        self.store.post_graph(self.rag_id, graph, ntriples)

    def get_graph(self, graph: str) -> bytes:
        return self.store.get_graph(self.rag_id, graph)
