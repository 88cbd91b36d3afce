"""Checking the model's Turtle: what is accepted, and the messages fed back when it is not."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from graphrag_lib.schema.validate import InvalidOntology, check_ontology, parse_answer, turtle_text
from tests.unit.graphrag_lib.sample_tables import IRIS

ONT = IRIS.ontology
GOOD = """
ont:Person a owl:Class ; rdfs:label "Person"@en .
ont:Organization a owl:Class ; rdfs:label "Organization"@en .
ont:worksFor a owl:ObjectProperty ; rdfs:domain ont:Person ; rdfs:range ont:Organization ;
    rdfs:label "works for"@en ; rdfs:comment "A person works for an organization."@en .
"""


def _check(turtle: str, known: Graph | None = None, types: tuple[str, ...] = ("Person",)) -> Graph:
    graph = parse_answer(turtle, IRIS)
    check_ontology(graph, known or Graph(), [ONT[t] for t in types], IRIS)
    return graph


def test_a_good_answer_passes_without_prefix_lines() -> None:
    graph = _check(GOOD)
    assert (ONT.worksFor, RDF.type, OWL.ObjectProperty) in graph


def test_functional_and_inverse_functional_properties_are_accepted() -> None:
    graph = _check(
        f"{GOOD}\nont:worksFor a owl:FunctionalProperty, owl:InverseFunctionalProperty ."
    )
    assert (ONT.worksFor, RDF.type, OWL.InverseFunctionalProperty) in graph


def test_an_ontology_header_is_ignored() -> None:
    graph = _check(f'<{ONT}> a owl:Ontology ; rdfs:comment "made by a model" .\n{GOOD}')
    assert (None, RDF.type, OWL.Ontology) not in graph


def test_fences_and_reasoning_are_stripped() -> None:
    answer = f"<think>hmm {{</think>Here it is:\n```turtle\n{GOOD}\n```\nDone."
    assert turtle_text(answer).strip() == GOOD.strip()
    _check(answer)


@pytest.mark.parametrize(
    ("turtle", "message"),
    [
        ("ont:Person a owl:Class {", "not valid Turtle"),
        ("<http://other.org/X> a owl:Class .", "outside the ontology namespace"),
        ("ont:Person a owl:Class ; owl:equivalentClass ont:Human .", "is not allowed"),
        ("ont:Person a owl:Thing .", "only owl:Class, owl:ObjectProperty"),
        ("ont:Person a owl:Class, owl:FunctionalProperty .", "not an owl:ObjectProperty"),
        ("ont:Person a owl:Class ; rdfs:subClassOf [ a owl:Class ] .", "blank node"),
        ("ont:Person a owl:Class ; rdfs:label ont:Name .", "must be a literal"),
        (
            "ont:Person a owl:Class . ont:knows a owl:ObjectProperty ; rdfs:domain ont:Person ; "
            "rdfs:range ont:Animal .",
            "ont:knows rdfs:range ont:Animal: ont:Animal is not a declared class",
        ),
        (
            "ont:Person a owl:Class . ont:knows a owl:ObjectProperty ; rdfs:domain ont:Person .",
            "needs exactly one",
        ),
        ("ont:Organization a owl:Class .", "entity type ont:Person has no owl:Class"),
        (
            "ont:Person a owl:Class ; rdfs:subClassOf ont:Agent . "
            "ont:Agent a owl:Class ; rdfs:subClassOf ont:Person .",
            "cycle: ont:Agent -> ont:Person -> ont:Agent",
        ),
        ("ont:Person a owl:Class , owl:ObjectProperty .", "both a class and a property"),
    ],
)
def test_bad_answers_are_rejected_with_a_reason(turtle: str, message: str) -> None:
    with pytest.raises(InvalidOntology, match=message.replace("?", r"\?")):
        _check(turtle)


def test_known_terms_count_as_declared() -> None:
    known = Graph()
    known.add((ONT.Person, RDF.type, OWL.Class))
    known.add((ONT.Organization, RDF.type, OWL.Class))
    known.add((ONT.worksFor, RDF.type, OWL.ObjectProperty))
    # Person is covered by production; a property between known classes; a reused property
    # needs no domain or range here.
    _check(
        "ont:leads a owl:ObjectProperty ; rdfs:domain ont:Person ; rdfs:range ont:Organization ."
        ' ont:worksFor rdfs:label "works for"@en .',
        known,
    )


def test_an_empty_answer_is_fine_when_everything_is_known() -> None:
    known = Graph()
    known.add((ONT.Person, RDF.type, OWL.Class))
    _check("", known)


def test_many_problems_are_summarised() -> None:
    turtle = " ".join(f"<http://other.org/X{i}> a owl:Class ." for i in range(20))
    with pytest.raises(InvalidOntology, match="and 12 more problems"):
        _check(turtle)
