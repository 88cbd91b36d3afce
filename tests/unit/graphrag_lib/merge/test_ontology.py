"""Ontology alignment: production terms are reused, not re-invented."""

from __future__ import annotations

import logging

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graphrag_lib.merge import GraphProductionView, MergeConfig, compute_change_set
from graphrag_lib.merge.ontology import align_ontology
from tests.unit.graphrag_lib.merge.graphs import ONT, add_class, add_entity
from tests.unit.graphrag_lib.sample_tables import IRIS


def test_terms_align_by_normalised_label_or_local_name() -> None:
    production, candidate = Graph(), Graph()
    add_class(production, ONT.Organization, "Organization")
    add_class(production, ONT.Person, "Person")
    add_class(candidate, ONT.Organisation, "organization")  # other IRI, same label
    add_class(candidate, ONT.Person, "Person")  # same IRI
    add_class(candidate, ONT.Place, "Place")  # new
    alignment = align_ontology(candidate, production)
    assert alignment.term_map == {ONT.Organisation: ONT.Organization}
    assert alignment.reused == {ONT.Organization, ONT.Person}
    assert alignment.added == {ONT.Place}


def test_instances_of_an_aligned_class_use_the_production_iri() -> None:
    production, candidate = Graph(), Graph()
    add_class(production, ONT.Organization, "Organization")
    add_class(candidate, ONT.Organisation, "organization", parent=ONT.Agent)
    add_class(candidate, ONT.Agent, "Agent")
    acme = add_entity(candidate, "Acme", ONT.Organisation)
    change_set = compute_change_set(candidate, GraphProductionView(production), IRIS, MergeConfig())
    add = change_set.add
    assert (acme, RDF.type, ONT.Organization) in add
    assert (ONT.Organisation, None, None) not in add and (None, None, ONT.Organisation) not in add
    assert (ONT.Organization, RDFS.subClassOf, ONT.Agent) in add  # new link on a reused class
    assert (ONT.Organization, RDFS.label, Literal("organization")) not in add  # label kept
    stats = change_set.stats
    assert (stats.ontology_terms_added, stats.ontology_terms_reused) == (1, 1)


def test_a_subclass_link_closing_a_cycle_with_production_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    production, candidate = Graph(), Graph()
    add_class(production, ONT.Agent, "Agent")
    add_class(production, ONT.Person, "Person", parent=ONT.Agent)
    add_class(candidate, ONT.Agent, "Agent", parent=ONT.Person)
    with caplog.at_level(logging.WARNING):
        change_set = compute_change_set(
            candidate, GraphProductionView(production), IRIS, MergeConfig()
        )
    assert (ONT.Agent, RDFS.subClassOf, ONT.Person) not in change_set.add
    assert "closes a cycle" in caplog.text


def _add_property(graph: Graph, prop: URIRef, label: str, domain: URIRef, range_: URIRef) -> None:
    graph.add((prop, RDF.type, OWL.ObjectProperty))
    graph.add((prop, RDFS.label, Literal(label)))
    graph.add((prop, RDFS.domain, domain))
    graph.add((prop, RDFS.range, range_))


def test_a_property_aligns_only_where_its_ends_fit() -> None:
    """ "programme" (an event's site) and "programme" (an organisation's event) share a label,
    not a meaning: mapping one onto the other would put an organisation where an event must
    be, which the consistency gate then (rightly) refuses. A narrower end still fits."""
    production, candidate = Graph(), Graph()
    for graph in (production, candidate):
        for cls in ("Event", "Geo", "Organization", "Person"):
            add_class(graph, ONT[cls], cls)
    add_class(candidate, ONT.Institute, "Institute", parent=ONT.Organization)
    _add_property(production, ONT.programme, "programme", ONT.Event, ONT.Geo)
    _add_property(production, ONT.leads, "leads", ONT.Person, ONT.Organization)
    _add_property(candidate, ONT.organizationProgramme, "programme", ONT.Organization, ONT.Event)
    _add_property(candidate, ONT.personLeads, "leads", ONT.Person, ONT.Institute)
    alignment = align_ontology(candidate, production)
    assert alignment.term_map == {ONT.personLeads: ONT.leads}
    assert ONT.organizationProgramme in alignment.added
