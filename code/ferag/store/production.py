"""Read access to a RAG's production graph over SPARQL, for merge (``ProductionView``).

Each method asks only for the resources it is given, so merge cost follows the change set,
not production's size. Labels and IRIs enter queries only as escaped terms.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import islice

from rdflib import OWL, Graph, URIRef

from ferag.store.space import RagSpace
from graphrag_lib.sparql_terms import iri
from graphrag_lib.vocab import FERAG

BATCH = 500

_NORMALISED_LABEL = iri(FERAG.normalisedLabel)
_ENTITY = iri(FERAG.Entity)
_ONTOLOGY_KINDS = " ".join(iri(k) for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty))


def _batches(items: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class SparqlProductionView:
    """The triple store's part of ``graphrag_lib.merge.ProductionView``: everything but the
    name keys, which PostgreSQL's entity index answers (``ferag.cycle.storage``)."""

    def __init__(self, space: RagSpace) -> None:
        self.space = space
        self.graph = iri(space.prod)

    def describe(self, iris: Collection[URIRef]) -> Graph:
        graph = Graph()
        for batch in _batches(sorted(str(i) for i in iris)):
            values = " ".join(iri(value) for value in batch)
            data = self.space.construct(
                f"""
                CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {self.graph} {{
                    VALUES ?s {{ {values} }} ?s ?p ?o }} }}""",
            )
            graph.parse(data=data.decode(), format="nt")
        return graph

    def referencing(self, iris: Collection[URIRef]) -> Graph:
        graph = Graph()
        for batch in _batches(sorted(str(i) for i in iris)):
            values = " ".join(iri(value) for value in batch)
            data = self.space.construct(
                f"""
                CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {self.graph} {{
                    VALUES ?o {{ {values} }} ?s ?p ?o }} }}""",
            )
            graph.parse(data=data.decode(), format="nt")
        return graph

    def ontology(self) -> Graph:
        data = self.space.construct(
            f"""
            CONSTRUCT {{ ?t ?p ?o }} WHERE {{ GRAPH {self.graph} {{
                VALUES ?kind {{ {_ONTOLOGY_KINDS} }}
                ?t a ?kind ; ?p ?o }} }}""",
        )
        return Graph().parse(data=data.decode(), format="nt")
