"""GraphProductionView: the in-memory ProductionView."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from graphrag_lib.merge import GraphProductionView
from tests.unit.graphrag_lib.merge.graphs import ONT, add_class, add_entity


def test_find_by_keys_of_labels_and_aliases() -> None:
    graph = Graph()
    acme = add_entity(graph, "Acme Corporation", ONT.Organization, aliases=("Acme Corp.",))
    moscow = add_entity(graph, "Москва", ONT.City)
    view = GraphProductionView(graph)
    found = view.find_by_keys(["n:acme corporation", "n:acme corp", "t:moskva", "n:berlin"])
    assert found == {"n:acme corporation": {acme}, "n:acme corp": {acme}, "t:moskva": {moscow}}


def test_describe_and_ontology() -> None:
    graph = Graph()
    add_class(graph, ONT.City, "City")
    moscow = add_entity(graph, "Москва", ONT.City)
    view = GraphProductionView(graph)
    assert set(view.describe([moscow])) == set(graph.triples((moscow, None, None)))
    assert (ONT.City, RDF.type, OWL.Class) in view.ontology()
    assert (moscow, None, None) not in view.ontology()
