"""Reading an OWL ontology graph: its classes and properties, their names, the class hierarchy.

Shared by the schema step and the merge step (ontology alignment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graphrag_lib.vocab import normalise_label

TERM_KINDS = (OWL.Class, OWL.ObjectProperty)
CHARACTERISTICS = (OWL.FunctionalProperty, OWL.InverseFunctionalProperty)
"""Types an ``owl:ObjectProperty`` may also have: one object per subject (functional), one
subject per object (inverse-functional); merge and the consistency gate read them."""
ONTOLOGY_PREDICATES = frozenset(
    {RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.label, RDFS.comment}
)


def declared(graph: Graph, kind: URIRef) -> set[URIRef]:
    """IRIs declared ``rdf:type kind`` (``owl:Class`` or ``owl:ObjectProperty``)."""
    return {s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def local_name(iri: URIRef) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def split_camel(name: str) -> str:
    """``worksFor`` → ``works For``; ``HTTPServer`` → ``HTTP Server``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def term_names(graph: Graph, term: URIRef) -> set[str]:
    """Normalised names of a term: its local name split into words, and its labels."""
    labels = (str(label) for label in graph.objects(term, RDFS.label))
    names = {normalise_label(split_camel(local_name(term))), *map(normalise_label, labels)}
    return {name for name in names if name}


def ontology_part(graph: Graph) -> Graph:
    """The triples about declared classes and properties."""
    terms = declared(graph, OWL.Class) | declared(graph, OWL.ObjectProperty)
    part = Graph()
    for term in terms:
        for triple in graph.triples((term, None, None)):
            part.add(triple)
    return part


def superclasses(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Each class → itself and all its ancestors along ``rdfs:subClassOf``."""
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, set()).add(parent)
    closure: dict[URIRef, set[URIRef]] = {}
    for start in declared(graph, OWL.Class) | set(parents):
        seen, todo = {start}, [start]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[start] = seen
    return closure


def subclass_cycle(graph: Graph) -> list[URIRef] | None:
    """A class that is its own strict ancestor, with the path back to it; None if acyclic."""
    parents: dict[URIRef, list[URIRef]] = {}
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, []).append(parent)
    for start in sorted(parents):
        path = _path_back(start, parents)
        if path:
            return path
    return None


def _path_back(start: URIRef, parents: dict[URIRef, list[URIRef]]) -> list[URIRef] | None:
    todo: list[list[URIRef]] = [[start, parent] for parent in parents[start]]
    seen: set[URIRef] = set()
    while todo:
        path = todo.pop()
        if path[-1] == start:
            return path
        if path[-1] in seen:
            continue
        seen.add(path[-1])
        todo.extend([*path, parent] for parent in parents.get(path[-1], ()))
    return None


@dataclass(frozen=True)
class PropertyInfo:
    """An object property with its domain, range and the words that name it."""

    iri: URIRef
    domain: URIRef | None
    range: URIRef | None
    words: frozenset[str]


def properties(graph: Graph) -> list[PropertyInfo]:
    """Every declared object property, sorted by IRI."""
    infos = []
    for prop in sorted(declared(graph, OWL.ObjectProperty)):
        domain, range_ = graph.value(prop, RDFS.domain), graph.value(prop, RDFS.range)
        texts: Iterable[str] = (
            *term_names(graph, prop),
            *(normalise_label(str(c)) for c in graph.objects(prop, RDFS.comment)),
        )
        words = frozenset(word for text in texts for word in text.split())
        infos.append(
            PropertyInfo(
                prop,
                domain if isinstance(domain, URIRef) else None,
                range_ if isinstance(range_, URIRef) else None,
                words,
            )
        )
    return infos
