"""What merge needs from production, so its cost follows the change set, not production's size.

The service implements ``ProductionView`` over SPARQL (name keys from PostgreSQL, see
``graphrag_lib.resolution.names``, a ``CONSTRUCT`` per batch of IRIs, the ontology graph);
``GraphProductionView`` implements it over an rdflib graph for tests and the CLI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graphrag_lib.resolution.names import NameForms
from graphrag_lib.schema.terms import ontology_part
from graphrag_lib.vocab import FERAG


class ResourceReader(Protocol):
    """Read access to resources of one RAG's production graph, by IRI."""

    def describe(self, iris: Collection[URIRef]) -> Graph:
        """Every production triple whose subject is one of ``iris``."""
        ...

    def referencing(self, iris: Collection[URIRef]) -> Graph:
        """Every production triple whose object is one of ``iris`` (what points at them)."""
        ...

    def ontology(self) -> Graph:
        """The production ontology: triples about its classes and properties."""
        ...


class ProductionView(ResourceReader, Protocol):
    """Read access to one RAG's production graph: resources, and entities by name key."""

    def find_by_keys(self, keys: Collection[str]) -> dict[str, set[URIRef]]:
        """Name key (``graphrag_lib.resolution.names.NameForms.index_keys`` of a label or an
        alias) → the entities having it; keys with no entity are left out. Answered from an
        index, never by scanning production."""
        ...


class GraphProductionView:
    """``ProductionView`` over an rdflib graph; a snapshot: build a new view after changes."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._keys: dict[str, set[URIRef]] | None = None

    def _key_index(self) -> dict[str, set[URIRef]]:
        if self._keys is None:
            index: dict[str, set[URIRef]] = defaultdict(set)
            for entity in self.graph.subjects(RDF.type, FERAG.Entity):
                if not isinstance(entity, URIRef):
                    continue
                for predicate in (RDFS.label, SKOS.altLabel):
                    for label in self.graph.objects(entity, predicate):
                        for key in NameForms.of(str(label)).index_keys():
                            index[key].add(entity)
            self._keys = dict(index)
        return self._keys

    def find_by_keys(self, keys: Collection[str]) -> dict[str, set[URIRef]]:
        index = self._key_index()
        return {key: set(index[key]) for key in keys if key in index}

    def describe(self, iris: Collection[URIRef]) -> Graph:
        described = Graph()
        for iri in iris:
            for triple in self.graph.triples((iri, None, None)):
                described.add(triple)
        return described

    def referencing(self, iris: Collection[URIRef]) -> Graph:
        found = Graph()
        for iri in iris:
            for triple in self.graph.triples((None, None, iri)):
                found.add(triple)
        return found

    def ontology(self) -> Graph:
        return ontology_part(self.graph)
