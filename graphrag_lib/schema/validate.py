"""Reading the model's Turtle answer and checking it is an ontology we accept.

Accepted: ``owl:Class`` and ``owl:ObjectProperty`` declarations in the RAG's ontology namespace
with ``rdfs:subClassOf``, ``rdfs:domain``, ``rdfs:range``, ``rdfs:label`` and ``rdfs:comment``;
object properties may also be ``owl:FunctionalProperty`` / ``owl:InverseFunctionalProperty``;
every type of the batch covered by a class; domains and ranges declared classes; new properties
with one domain and one range; no ``rdfs:subClassOf`` cycle. Anything else raises
``InvalidOntology`` with a message that is fed back to the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from graphrag_lib.schema.known import KnownTerms, known_terms
from graphrag_lib.schema.terms import CHARACTERISTICS, ONTOLOGY_PREDICATES, TERM_KINDS, declared
from graphrag_lib.vocab import RagIris

MAX_REPORTED_PROBLEMS = 8
_FENCE = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.DOTALL)
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)


class InvalidOntology(ValueError):
    """The model's answer is not an acceptable ontology; the message says what to fix."""


def turtle_text(answer: str) -> str:
    """The Turtle in an answer: fenced blocks if any, else the whole text; reasoning dropped."""
    answer = _THINKING.sub("", answer)
    blocks = _FENCE.findall(answer)
    return "\n".join(blocks) if blocks else answer


def parse_answer(answer: str, iris: RagIris) -> Graph:
    """The answer as a graph; standard prefixes and ``ont:`` are predeclared, and an
    ``owl:Ontology`` header is dropped."""
    header = (
        f"@prefix ont: <{iris.ontology}> .\n@prefix owl: <{OWL}> .\n"
        f"@prefix rdf: <{RDF}> .\n@prefix rdfs: <{RDFS}> .\n"
    )
    graph = Graph()
    try:
        graph.parse(data=header + turtle_text(answer), format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise InvalidOntology(f"The answer is not valid Turtle: {exc}") from exc
    for preamble in list(graph.subjects(RDF.type, OWL.Ontology)):  # harmless and common
        graph.remove((preamble, None, None))
    return graph


def _triple_problems(graph: Graph, iris: RagIris) -> Iterable[str]:
    for s, p, o in sorted(graph):
        if isinstance(s, BNode) or isinstance(o, BNode):
            yield f"blank node in ({s.n3()} {p.n3()} {o.n3()}); name every term with an IRI"
        elif not isinstance(s, URIRef) or iris.local_name(s) is None:
            yield f"{s.n3()} is outside the ontology namespace <{iris.ontology}>"
        elif p not in ONTOLOGY_PREDICATES:
            yield f"predicate {p.n3()} is not allowed"
        elif p == RDF.type and o not in (*TERM_KINDS, *CHARACTERISTICS):
            yield (
                f"{s.n3()} has type {o.n3()}; only owl:Class, owl:ObjectProperty, "
                "owl:FunctionalProperty and owl:InverseFunctionalProperty are allowed"
            )
        elif p in (RDFS.label, RDFS.comment) and not isinstance(o, Literal):
            yield f"{s.n3()} {p.n3()} must be a literal"
        elif p in (RDFS.subClassOf, RDFS.domain, RDFS.range) and (
            not isinstance(o, URIRef) or iris.local_name(o) is None
        ):
            yield f"{s.n3()} {p.n3()} {o.n3()}: the object must be an ont: class"


def _term_problems(graph: Graph, known: KnownTerms, type_iris: Iterable[URIRef]) -> Iterable[str]:
    graph_classes = declared(graph, OWL.Class)
    new_properties = {p for p in declared(graph, OWL.ObjectProperty) if not known.is_property(p)}

    def is_class(term: Node) -> bool:
        return term in graph_classes or known.is_class(term)

    for term in sorted(graph_classes & declared(graph, OWL.ObjectProperty)):
        yield f"{term.n3()} is declared both a class and a property"
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
        if (subject, RDF.type, None) not in graph and not known.has_type(subject):
            yield f"{subject.n3()} is used but declared neither owl:Class nor owl:ObjectProperty"
    for characteristic in CHARACTERISTICS:
        for term in sorted(declared(graph, characteristic)):
            if term not in declared(graph, OWL.ObjectProperty) and not known.is_property(term):
                yield f"{term.n3()} is {characteristic.n3()} but not an owl:ObjectProperty"
    for s, p, o in sorted(graph.triples((None, None, None))):
        if p in (RDFS.subClassOf, RDFS.domain, RDFS.range) and not is_class(o):
            yield f"{s.n3()} {p.n3()} {o.n3()}: {o.n3()} is not a declared class"
    for prop in sorted(new_properties):
        for end in (RDFS.domain, RDFS.range):
            if len(set(graph.objects(prop, end))) != 1:
                yield f"property {prop.n3()} needs exactly one {end.n3()}"
    for type_iri in sorted(type_iris):
        if not is_class(type_iri):
            yield f"entity type {type_iri.n3()} has no owl:Class; declare it with that IRI"


def subclass_cycle_with(graph: Graph, known: KnownTerms) -> list[URIRef] | None:
    """A ``rdfs:subClassOf`` cycle through the links of ``graph`` or of the cycle's ontology
    (production's own are not searched from: it was checked when it was approved), with the
    path back to its start; None if there is none. Follows known links lazily, term by term."""

    def parents(cls: URIRef) -> list[URIRef]:
        mine = [p for p in graph.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)]
        return [*mine, *known.parents(cls)]

    starts = {
        child
        for source in (graph, known.ontology)
        for child in source.subjects(RDFS.subClassOf, None)
        if isinstance(child, URIRef)
    }
    for start in sorted(starts):
        todo: list[list[URIRef]] = [[start, parent] for parent in parents(start)]
        seen: set[URIRef] = set()
        while todo:
            path = todo.pop()
            if path[-1] == start:
                return path
            if path[-1] in seen:
                continue
            seen.add(path[-1])
            todo.extend([*path, parent] for parent in parents(path[-1]))
    return None


def _shorten(message: str, iris: RagIris) -> str:
    """Full IRIs in ``message`` as ``ont:``, ``owl:``, ``rdf:``, ``rdfs:`` names."""
    prefixes = {"ont": str(iris.ontology), "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS)}
    for prefix, namespace in prefixes.items():
        message = re.sub(f"<{re.escape(namespace)}([A-Za-z_][\\w-]*)>", f"{prefix}:\\1", message)
    return message


def check_ontology(
    graph: Graph, known: Graph | KnownTerms, type_iris: Iterable[URIRef], iris: RagIris
) -> None:
    """Raise ``InvalidOntology`` listing what is wrong with ``graph`` given the ``known`` terms."""
    terms = known_terms(known)
    problems = list(_triple_problems(graph, iris))
    if not problems:
        problems = list(_term_problems(graph, terms, type_iris))
    if not problems and (cycle := subclass_cycle_with(graph, terms)):
        problems.append("rdfs:subClassOf cycle: " + " -> ".join(t.n3() for t in cycle))
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        tail = [f"... and {more} more problems"] if more else []
        raise InvalidOntology(_shorten("\n".join(f"- {p}" for p in [*shown, *tail]), iris))
