"""tables_to_rdf on small hand-built GraphRAG tables (English and Russian)."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graphrag_lib.to_rdf import tables_to_rdf
from graphrag_lib.vocab import FERAG, document_key, entity_key
from tests.unit.graphrag_lib.sample_tables import (
    CYCLE1_DOCUMENTS,
    IRIS,
    MOSCOW_PATH,
    MOSCOW_UNIT,
    Q1_PATH,
    Q1_UNITS,
    cycle1_tables,
)

ALICE = IRIS.entity(entity_key("Alice Smith"))
ACME = IRIS.entity(entity_key("Acme Corp"))
IVAN = IRIS.entity(entity_key("Иван Петров"))
ROMASHKA = IRIS.entity(entity_key("Ромашка"))
Q1 = IRIS.document(document_key(Q1_PATH))
MOSCOW = IRIS.document(document_key(MOSCOW_PATH))
ONT = IRIS.ontology


@pytest.fixture(scope="module")
def graph() -> Graph:
    return tables_to_rdf(cycle1_tables(), IRIS, CYCLE1_DOCUMENTS)


def _passage(graph: Graph, document: URIRef, order: int) -> URIRef:
    (passage,) = (
        p
        for p in graph.subjects(FERAG.inDocument, document)
        if (p, FERAG.order, Literal(order)) in graph
    )
    assert isinstance(passage, URIRef)
    return passage


def test_documents_carry_title_path_folder_date_and_format(graph: Graph) -> None:
    assert (Q1, RDF.type, FERAG.Document) in graph
    assert (Q1, DCTERMS.title, Literal("Q1 report")) in graph
    assert (Q1, FERAG.path, Literal(Q1_PATH)) in graph
    assert (Q1, FERAG.folderPath, Literal("reports/2024")) in graph
    assert (Q1, FERAG.documentDate, Literal(date(2024, 4, 1))) in graph
    assert (Q1, DCTERMS.format, Literal("txt")) in graph
    assert (MOSCOW, DCTERMS.title, Literal("Москва", lang="ru")) in graph
    assert (MOSCOW, FERAG.folderPath, Literal("notes")) in graph
    assert (MOSCOW, FERAG.documentDate, None) not in graph


def test_passages_keep_text_order_and_document(graph: Graph) -> None:
    first, second = _passage(graph, Q1, 0), _passage(graph, Q1, 1)
    assert (first, RDF.type, FERAG.Passage) in graph
    assert (first, FERAG.text, Literal(Q1_UNITS[0])) in graph
    assert (second, FERAG.text, Literal(Q1_UNITS[1])) in graph
    assert str(first).startswith(str(IRIS.passage(document_key(Q1_PATH))))
    assert (_passage(graph, MOSCOW, 0), FERAG.text, Literal(MOSCOW_UNIT, lang="ru")) in graph


def test_entities_have_labels_types_descriptions_and_provenance(graph: Graph) -> None:
    assert (ALICE, RDF.type, FERAG.Entity) in graph
    assert (ALICE, RDF.type, ONT.Person) in graph  # provisional class from the GraphRAG type
    assert (ALICE, RDFS.label, Literal("Alice Smith")) in graph  # casing from the passage
    assert (ALICE, FERAG.key, Literal(entity_key("Alice Smith"))) in graph
    assert (ALICE, FERAG.normalisedLabel, Literal("alice smith")) in graph
    description = Literal("Alice Smith is an engineer at Acme Corp.")
    assert (ALICE, DCTERMS.description, description) in graph
    assert set(graph.objects(ALICE, PROV.wasDerivedFrom)) == {_passage(graph, Q1, 0)}
    assert set(graph.objects(ACME, PROV.wasDerivedFrom)) == {
        _passage(graph, Q1, 0),
        _passage(graph, Q1, 1),
    }


def test_russian_entities_are_tagged_and_aliases_merged(graph: Graph) -> None:
    assert (IVAN, RDFS.label, Literal("Иван Петров", lang="ru")) in graph
    assert (IVAN, RDF.type, ONT.Person) in graph
    # «РОМАШКА» and РОМАШКА normalise alike: one entity, the rarer form an alias
    assert (ROMASHKA, RDFS.label, Literal("Ромашка", lang="ru")) in graph
    assert (ROMASHKA, SKOS.altLabel, Literal("«Ромашка»", lang="ru")) in graph
    assert len(set(graph.subjects(RDF.type, FERAG.Entity))) == 5
    description = str(graph.value(ROMASHKA, DCTERMS.description))
    assert "Компания Ромашка." in description and "Чайная компания." in description


def test_relations_are_direct_triples_and_statement_nodes(graph: Graph) -> None:
    assert (ALICE, FERAG.relatedTo, ACME) in graph
    (statement,) = graph.subjects(RDF.subject, ALICE)
    assert str(statement).startswith(f"{IRIS.prefix}relation/")
    assert (statement, RDF.type, RDF.Statement) in graph
    assert (statement, RDF.type, FERAG.Relation) in graph
    assert (statement, RDF.predicate, FERAG.relatedTo) in graph
    assert (statement, RDF.object, ACME) in graph
    assert (statement, DCTERMS.description, Literal("Alice Smith works for Acme Corp")) in graph
    assert (statement, FERAG.weight, Literal(1.0)) in graph
    passage = graph.value(statement, PROV.wasDerivedFrom)
    assert (passage, FERAG.inDocument, Q1) in graph  # statement → passage → document


def test_communities_and_reports(graph: Graph) -> None:
    (community,) = graph.subjects(FERAG.member, IVAN)
    assert (community, RDF.type, FERAG.Community) in graph
    assert (community, FERAG.level, Literal(0)) in graph
    assert set(graph.objects(community, FERAG.member)) == {IVAN, ROMASHKA}
    (report,) = graph.subjects(FERAG.reportOf, community)
    assert (report, DCTERMS.title, Literal("Ромашка", lang="ru")) in graph
    assert (report, FERAG.rank, Literal(7.5)) in graph
    (acme_community,) = graph.subjects(FERAG.member, ACME)
    (acme_report,) = graph.subjects(FERAG.reportOf, acme_community)
    (finding,) = graph.objects(acme_report, FERAG.finding)
    assert (finding, FERAG.summary, Literal("Acme is in Berlin")) in graph
    assert (finding, FERAG.explanation, Literal("Acme Corp is located in Berlin.")) in graph


def test_conversion_is_deterministic(graph: Graph) -> None:
    again = tables_to_rdf(cycle1_tables(), IRIS, CYCLE1_DOCUMENTS)
    assert set(again) == set(graph)


def test_no_blank_nodes(graph: Graph) -> None:
    assert all(isinstance(node, URIRef | Literal) for triple in graph for node in triple)


def test_missing_document_metadata_falls_back_to_the_path() -> None:
    graph = tables_to_rdf(cycle1_tables(), IRIS, [])
    assert (Q1, DCTERMS.title, Literal("q1.txt")) in graph
    assert (Q1, DCTERMS.format, Literal("txt")) in graph
