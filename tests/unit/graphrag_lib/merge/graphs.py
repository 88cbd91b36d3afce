"""Hand-built candidate and production graphs for merge tests."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from graphrag_lib.vocab import FERAG, entity_key, normalise_label
from tests.unit.graphrag_lib.sample_tables import IRIS

ONT = IRIS.ontology


def add_class(graph: Graph, cls: URIRef, label: str, parent: URIRef | None = None) -> None:
    graph.add((cls, RDF.type, OWL.Class))
    graph.add((cls, RDFS.label, Literal(label)))
    if parent is not None:
        graph.add((cls, RDFS.subClassOf, parent))


def add_entity(
    graph: Graph,
    label: str,
    cls: URIRef,
    aliases: tuple[str, ...] = (),
    description: str = "",
    key: str | None = None,
) -> URIRef:
    entity = IRIS.entity(key or entity_key(label))
    graph.add((entity, RDF.type, FERAG.Entity))
    graph.add((entity, RDF.type, cls))
    graph.add((entity, RDFS.label, Literal(label)))
    graph.add((entity, FERAG.key, Literal(key or entity_key(label))))
    for name in (label, *aliases):
        graph.add((entity, FERAG.normalisedLabel, Literal(normalise_label(name))))
    for alias in aliases:
        graph.add((entity, SKOS.altLabel, Literal(alias)))
    if description:
        graph.add((entity, DCTERMS.description, Literal(description)))
    return entity


def add_relation(graph: Graph, key: str, subject: URIRef, prop: URIRef, obj: URIRef) -> URIRef:
    statement = IRIS.relation(key)
    graph.add((subject, prop, obj))
    graph.add((statement, RDF.type, RDF.Statement))
    graph.add((statement, RDF.type, FERAG.Relation))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, prop))
    graph.add((statement, RDF.object, obj))
    return statement
