"""Read access to a RAG's production graph over SPARQL, for merge (``ProductionView``).

Each method asks only for the resources it is given, so merge cost follows the change set,
not production's size. Labels and IRIs enter queries only as escaped terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from itertools import islice

from rdflib import Graph, URIRef

from ferag.store.client import TripleStore
from ferag.store.terms import iri, literal
from graphrag_lib.vocab import RagIris

BATCH = 500
PRODUCTION = "prod"


def production_graph(iris: RagIris) -> str:
    return str(iris.graph(PRODUCTION))


def _batches(items: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class SparqlProductionView:
    """``graphrag_lib.merge.ProductionView`` over the triple store."""

    def __init__(self, store: TripleStore, rag_id: int, iris: RagIris) -> None:
        self.store = store
        self.rag_id = rag_id
        self.graph = iri(production_graph(iris))

    def find_entities(self, normalised_labels: Collection[str]) -> dict[str, set[URIRef]]:
        found: dict[str, set[URIRef]] = defaultdict(set)
        for batch in _batches(sorted(set(normalised_labels))):
            values = " ".join(literal(label) for label in batch)
            rows = self.store.select(
                self.rag_id,
                f"""
                SELECT ?n ?e WHERE {{ GRAPH {self.graph} {{
                    VALUES ?n {{ {values} }}
                    ?e <https://ferag.dev/ns#normalisedLabel> ?n .
                    ?e a <https://ferag.dev/ns#Entity> . }} }}""",
            )
            for row in rows:
                found[row["n"]["value"]].add(URIRef(row["e"]["value"]))
        return dict(found)

    def describe(self, iris: Collection[URIRef]) -> Graph:
        graph = Graph()
        for batch in _batches(sorted(str(i) for i in iris)):
            values = " ".join(iri(value) for value in batch)
            data = self.store.construct(
                self.rag_id,
                f"""
                CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {self.graph} {{
                    VALUES ?s {{ {values} }} ?s ?p ?o }} }}""",
            )
            graph.parse(data=data.decode(), format="nt")
        return graph

    def ontology(self) -> Graph:
        data = self.store.construct(
            self.rag_id,
            f"""
            CONSTRUCT {{ ?t ?p ?o }} WHERE {{ GRAPH {self.graph} {{
                VALUES ?kind {{ <http://www.w3.org/2002/07/owl#Class>
                               <http://www.w3.org/2002/07/owl#ObjectProperty>
                               <http://www.w3.org/2002/07/owl#DatatypeProperty> }}
                ?t a ?kind ; ?p ?o }} }}""",
        )
        return Graph().parse(data=data.decode(), format="nt")
