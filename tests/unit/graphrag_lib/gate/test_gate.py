"""The consistency gate on small graphs: shapes from the ontology, owner shapes, the check."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SH, XSD

from graphrag_lib.gate import (
    GateConfig,
    InvalidShapes,
    check_change_set,
    parse_shapes,
    read_violations,
    shapes_from_ontology,
    violations_graph,
)
from graphrag_lib.merge import GraphProductionView
from graphrag_lib.vocab import FERAG, RagIris

IRIS = RagIris("https://kb.example.org/", "3")
ONT = IRIS.ontology
ORG, OLD, NEW = IRIS.entity("institute"), IRIS.entity("petrov"), IRIS.entity("eriksen")


def _ontology() -> Graph:
    g = Graph()
    for cls in (ONT.Person, ONT.Organization):
        g.add((cls, RDF.type, OWL.Class))
    g.add((ONT.directorOf, RDF.type, OWL.ObjectProperty))
    g.add((ONT.directorOf, RDF.type, OWL.InverseFunctionalProperty))
    g.add((ONT.directorOf, RDFS.domain, ONT.Person))
    g.add((ONT.directorOf, RDFS.range, ONT.Organization))
    g.add((ONT.locatedIn, RDF.type, OWL.ObjectProperty))
    g.add((ONT.locatedIn, RDF.type, OWL.FunctionalProperty))
    return g


def _director(g: Graph, person: URIRef, name: str, key: str) -> URIRef:
    statement, passage = IRIS.relation(key), IRIS.passage(key)
    g.add((person, RDF.type, ONT.Person))
    g.add((person, RDF.type, FERAG.Entity))
    g.add((person, RDFS.label, Literal(name)))
    g.add((person, ONT.directorOf, ORG))
    g.add((statement, RDF.type, FERAG.Relation))
    g.add((statement, RDF.subject, person))
    g.add((statement, RDF.predicate, ONT.directorOf))
    g.add((statement, RDF.object, ORG))
    g.add((statement, PROV.wasDerivedFrom, passage))
    g.add((passage, FERAG.text, Literal(f"{name} is the director of the institute.")))
    return statement


def _production() -> Graph:
    g = _ontology()
    g.add((ORG, RDF.type, ONT.Organization))
    g.add((ORG, RDFS.label, Literal("Polar Institute")))
    _director(g, OLD, "Alexei Petrov", "old")
    return g


def test_shapes_follow_the_ontology() -> None:
    shapes = shapes_from_ontology(_ontology())
    inverse = URIRef(f"urn:ferag:shape:inverse-functional:{ONT.directorOf}")
    assert (inverse, SH.targetObjectsOf, ONT.directorOf) in shapes
    paths = [shapes.value(c, SH.path) for c in shapes.objects(inverse, SH.property)]
    assert [shapes.value(p, SH.inversePath) for p in paths] == [ONT.directorOf]
    functional = URIRef(f"urn:ferag:shape:functional:{ONT.locatedIn}")
    assert (functional, SH.targetSubjectsOf, ONT.locatedIn) in shapes
    domain = URIRef(f"urn:ferag:shape:domain:{ONT.directorOf}")
    assert (domain, SH["class"], ONT.Person) in shapes


def test_two_current_directors_are_a_violation_with_both_statements() -> None:
    add = Graph()
    new_statement = _director(add, NEW, "Hans Eriksen", "new")
    report = check_change_set(add, Graph(), GraphProductionView(_production()))
    assert report.blocking == 1
    (violation,) = report.violations
    assert violation.focus == str(ORG) and violation.focus_label == "Polar Institute"
    assert violation.path == f"^{ONT.directorOf}"
    assert "inverse-functional" in violation.message
    by_iri = {s.iri: s for s in violation.statements}
    assert by_iri[str(new_statement)].is_new
    assert not by_iri[str(IRIS.relation("old"))].is_new
    assert by_iri[str(IRIS.relation("old"))].passages[0].text.startswith("Alexei Petrov")
    assert read_violations(violations_graph(list(report.violations))) == [violation]


def test_a_change_set_that_ends_the_old_fact_passes() -> None:
    add, remove = Graph(), Graph()
    _director(add, NEW, "Hans Eriksen", "new")
    remove.add((OLD, ONT.directorOf, ORG))  # merge removes the direct triple it invalidated
    add.add((IRIS.relation("old"), FERAG.invalidatedIn, IRIS.version(2)))
    report = check_change_set(add, remove, GraphProductionView(_production()))
    assert report.blocking == 0 and report.violations == ()


def test_domain_range_and_valid_time_datatypes() -> None:
    add = Graph()
    statement = _director(add, NEW, "Hans Eriksen", "new")
    add.remove((NEW, RDF.type, ONT.Person))
    add.add((NEW, RDF.type, ONT.Organization))
    add.add((statement, FERAG.validFrom, Literal("March 2026")))
    production = _production()
    production.remove((OLD, ONT.directorOf, ORG))
    report = check_change_set(add, Graph(), GraphProductionView(production))
    messages = sorted(v.message for v in report.violations)
    assert messages == [
        "the subject of directorOf must be a Person",
        "validFrom must be one xsd:gYear, xsd:gYearMonth or xsd:date",
    ]
    add.set((statement, FERAG.validFrom, Literal("2026-03", datatype=XSD.gYearMonth)))
    assert len(check_change_set(add, Graph(), GraphProductionView(production)).violations) == 1


OWNER = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ont: <https://kb.example.org/rag/3/ontology#> .
ont:PersonNeedsLabel a sh:NodeShape ; sh:targetClass ont:Person ;
    sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:minCount 2 ;
                  sh:severity sh:Warning ] .
"""


def test_owner_shapes_are_checked_and_warnings_do_not_block() -> None:
    add = Graph()
    _director(add, NEW, "Hans Eriksen", "new")
    production = _production()
    production.remove((OLD, ONT.directorOf, ORG))
    report = check_change_set(
        add, Graph(), GraphProductionView(production), GateConfig(owner_shapes=OWNER)
    )
    assert report.blocking == 0 and report.total == 1
    assert report.violations[0].severity == "Warning"
    assert report.violations[0].focus == str(NEW)  # the untouched old director is not judged


@pytest.mark.parametrize(
    ("turtle", "message"),
    [
        ("ont:X a sh:NodeShape", "not valid Turtle"),
        ("@prefix ex: <urn:x:> . ex:a ex:b ex:c .", "no sh:NodeShape"),
        (
            "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:x:> .\n"
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
            'sh:property [ sh:path ex:p ; sh:maxCount "one" ] .',
            "not valid SHACL",
        ),
    ],
)
def test_bad_owner_shapes_are_refused(turtle: str, message: str) -> None:
    with pytest.raises(InvalidShapes, match=message):
        parse_shapes(turtle)
