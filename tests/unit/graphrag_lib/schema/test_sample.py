"""Sampling and batching what the model is shown."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS

from graphrag_lib.schema import SchemaConfig
from graphrag_lib.schema.sample import plan_batches
from graphrag_lib.vocab import FERAG
from tests.unit.graphrag_lib.sample_tables import IRIS

ONT = IRIS.ontology


def _entity(graph: Graph, key: str, cls: str) -> None:
    graph.add((IRIS.entity(key), RDF.type, FERAG.Entity))
    graph.add((IRIS.entity(key), RDF.type, ONT[cls]))
    graph.add((IRIS.entity(key), RDFS.label, Literal(key)))


def _relation(graph: Graph, key: str, s: str, o: str, text: str, weight: float) -> None:
    statement = IRIS.relation(key)
    graph.add((statement, RDF.type, FERAG.Relation))
    graph.add((statement, RDF.subject, IRIS.entity(s)))
    graph.add((statement, RDF.object, IRIS.entity(o)))
    graph.add((statement, DCTERMS.description, Literal(text)))
    graph.add((statement, FERAG.weight, Literal(weight)))


def test_examples_are_the_heaviest_and_types_without_relations_get_their_own_batch() -> None:
    graph = Graph()
    _entity(graph, "alice", "Person")
    _entity(graph, "acme", "Organization")
    _entity(graph, "blue", "Colour")
    for n in range(5):
        _relation(graph, f"r{n}", "alice", "acme", f"text {n}", float(n))
    batches = plan_batches(graph, IRIS, SchemaConfig(max_examples_per_pair=2))
    assert len(batches) == 2
    (pair,) = batches[0].pairs
    assert (pair.subject_type, pair.object_type, pair.count) == (ONT.Person, ONT.Organization, 5)
    assert pair.examples == ("text 4", "text 3")
    assert [t.iri for t in batches[0].types] == [ONT.Organization, ONT.Person]
    assert [t.iri for t in batches[1].types] == [ONT.Colour] and batches[1].pairs == ()
    assert batches[1].types[0].examples == ("blue",)


def test_long_descriptions_are_cut() -> None:
    graph = Graph()
    _entity(graph, "a", "A")
    _entity(graph, "b", "B")
    _relation(graph, "r", "a", "b", "word " * 100, 1.0)
    (batch,) = plan_batches(graph, IRIS, SchemaConfig(max_description_chars=40))
    assert len(batch.pairs[0].examples[0]) == 40
