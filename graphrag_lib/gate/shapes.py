"""SHACL shapes: generated from an OWL ontology, or written by a RAG's owner (checked here).

Per ``owl:ObjectProperty`` ``p`` of the ontology:

- ``rdfs:domain D``: the subjects of ``p`` are ``sh:class D``;
- ``rdfs:range R``: the objects of ``p`` are ``sh:class R``;
- ``owl:FunctionalProperty``: a subject has ``sh:maxCount 1`` value of ``p``;
- ``owl:InverseFunctionalProperty``: an object has ``sh:maxCount 1`` subject
  (``sh:path [ sh:inversePath p ]``).

Shapes are checked over direct triples, which hold current facts only (an invalidated
statement's direct triple is removed), so "functional" means "at a time". ``ferag:validFrom``
and ``ferag:validUntil`` must be ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date``.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from graphrag_lib.schema.terms import declared, local_name
from graphrag_lib.vocab import FERAG

SHAPES_NS = "urn:ferag:shape:"
"""Generated shapes are named ``urn:ferag:shape:{kind}:{property IRI}``."""
KINDS = ("domain", "range", "functional", "inverse-functional", "datatype")
TIME_DATATYPES = (XSD.gYear, XSD.gYearMonth, XSD.date)


class InvalidShapes(ValueError):
    """Owner shapes that are not Turtle or not valid SHACL; the message says what is wrong."""


def shape_iri(kind: str, prop: URIRef) -> URIRef:
    return URIRef(f"{SHAPES_NS}{kind}:{prop}")


def shape_kind(shape: URIRef) -> tuple[str, URIRef] | None:
    """``(kind, property)`` of a generated shape's IRI; None for an owner's shape."""
    text = str(shape)
    if not text.startswith(SHAPES_NS):
        return None
    kind, _, prop = text[len(SHAPES_NS) :].partition(":")
    return (kind, URIRef(prop)) if kind in KINDS else None


def _node_shape(shapes: Graph, kind: str, prop: URIRef, target: URIRef, message: str) -> URIRef:
    shape = shape_iri(kind, prop)
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, target, prop))
    shapes.add((shape, SH.message, Literal(message, lang="en")))
    return shape


def _max_one(shapes: Graph, shape: URIRef, path: URIRef | BNode, message: str) -> None:
    constraint = BNode()
    shapes.add((constraint, SH.message, Literal(message, lang="en")))
    shapes.add((shape, SH.property, constraint))
    shapes.add((constraint, SH.path, path))
    shapes.add((constraint, SH.maxCount, Literal(1)))


def _property_shapes(shapes: Graph, ontology: Graph, prop: URIRef) -> None:
    name = local_name(prop)
    for domain in ontology.objects(prop, RDFS.domain):
        message = f"the subject of {name} must be a {local_name(URIRef(str(domain)))}"
        shape = _node_shape(shapes, "domain", prop, SH.targetSubjectsOf, message)
        shapes.add((shape, SH["class"], domain))
    for range_ in ontology.objects(prop, RDFS.range):
        message = f"the object of {name} must be a {local_name(URIRef(str(range_)))}"
        shape = _node_shape(shapes, "range", prop, SH.targetObjectsOf, message)
        shapes.add((shape, SH["class"], range_))
    if (prop, RDF.type, OWL.FunctionalProperty) in ontology:
        message = f"{name} is functional: one current value per subject"
        shape = _node_shape(shapes, "functional", prop, SH.targetSubjectsOf, message)
        _max_one(shapes, shape, prop, message)
    if (prop, RDF.type, OWL.InverseFunctionalProperty) in ontology:
        message = f"{name} is inverse-functional: one current subject per object"
        shape = _node_shape(shapes, "inverse-functional", prop, SH.targetObjectsOf, message)
        inverse = BNode()
        shapes.add((inverse, SH.inversePath, prop))
        _max_one(shapes, shape, inverse, message)


def _time_shapes(shapes: Graph) -> None:
    for prop in (FERAG.validFrom, FERAG.validUntil):
        message = f"{local_name(prop)} must be one xsd:gYear, xsd:gYearMonth or xsd:date"
        shape = _node_shape(shapes, "datatype", prop, SH.targetSubjectsOf, message)
        constraint, choices = BNode(), list[Node]()
        shapes.add((shape, SH.property, constraint))
        shapes.add((constraint, SH.message, Literal(message, lang="en")))
        shapes.add((constraint, SH.path, prop))
        shapes.add((constraint, SH.maxCount, Literal(1)))
        for datatype in TIME_DATATYPES:
            choice = BNode()
            shapes.add((choice, SH.datatype, datatype))
            choices.append(choice)
        alternatives = BNode()
        Collection(shapes, alternatives, choices)
        shapes.add((constraint, SH["or"], alternatives))


def shapes_from_ontology(ontology: Graph) -> Graph:
    """The shapes the ontology implies (see the module docstring)."""
    shapes = Graph()
    shapes.bind("sh", SH)
    for prop in sorted(declared(ontology, OWL.ObjectProperty)):
        _property_shapes(shapes, ontology, prop)
    _time_shapes(shapes)
    return shapes


def parse_shapes(turtle: str) -> Graph:
    """An owner's shapes: Turtle that is valid SHACL (checked against the SHACL-SHACL shapes and
    loaded by pySHACL), with at least one shape. Raises ``InvalidShapes`` saying what is wrong."""
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    graph = Graph()
    try:
        graph.parse(data=turtle, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise InvalidShapes(f"the shapes are not valid Turtle: {exc}") from exc
    if not any((None, RDF.type, kind) in graph for kind in (SH.NodeShape, SH.PropertyShape)):
        raise InvalidShapes("the Turtle declares no sh:NodeShape or sh:PropertyShape")
    try:
        validate(Graph(), shacl_graph=graph, meta_shacl=True)
    except ReportableRuntimeError as exc:
        raise InvalidShapes(f"the shapes are not valid SHACL: {exc}") from exc
    return graph
