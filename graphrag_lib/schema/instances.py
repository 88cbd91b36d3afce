"""Choosing an ontology property for each extracted relation.

Each ``s ferag:relatedTo o`` becomes ``s p o`` (and the statement node's
``rdf:predicate`` becomes ``p``), where ``p`` is the property whose domain and range fit the
classes of ``s`` and ``o`` and whose name shares the most words with the relation's description;
if no property shares a word, the only fitting property; otherwise ``ferag:relatedTo`` stays.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from graphrag_lib.schema.known import KnownTerms, known_terms
from graphrag_lib.schema.stopwords import STOPWORDS
from graphrag_lib.schema.terms import PropertyInfo
from graphrag_lib.vocab import FERAG, normalise_label

_MIN_SHARED_PREFIX = 4


def _words(text: str) -> set[str]:
    return {w for w in normalise_label(text).split() if w not in STOPWORDS and len(w) >= 3}


def _shared(word: str, other: str) -> bool:
    """Same word up to an ending: a common prefix of at least 4 letters or the shorter word."""
    shorter = min(len(word), len(other))
    need = min(shorter, max(_MIN_SHARED_PREFIX, shorter - 2))
    return word[:need] == other[:need]


def _score(prop: PropertyInfo, description: set[str]) -> int:
    return sum(1 for w in prop.words - STOPWORDS if any(_shared(w, d) for d in description))


def choose_property(
    s_classes: set[URIRef],
    o_classes: set[URIRef],
    description: str,
    candidates: list[PropertyInfo],
    ancestors: Mapping[URIRef, set[URIRef]],
) -> URIRef:
    """The property for one relation; ``ferag:relatedTo`` when none fits."""
    s_up = {a for c in s_classes for a in ancestors.get(c, {c})}
    o_up = {a for c in o_classes for a in ancestors.get(c, {c})}
    fitting = [p for p in candidates if p.domain in s_up and p.range in o_up]
    if not fitting:
        return FERAG.relatedTo
    words = _words(description)
    best = max(fitting, key=lambda p: (_score(p, words), -fitting.index(p)))
    if _score(best, words) > 0:
        return best.iri
    return fitting[0].iri if len(fitting) == 1 else FERAG.relatedTo


def assign_properties(typed: Graph, ontology: Graph | KnownTerms) -> int:
    """Rewrite each ``ferag:relatedTo`` relation in place; returns how many got a property.

    Only the properties whose domain fits a relation's subject are read (and their names
    normalised), once each, so the cost follows the relations, not the ontology's size."""
    known = known_terms(ontology)
    infos: dict[URIRef, PropertyInfo] = {}
    ancestors: dict[URIRef, set[URIRef]] = {}
    assigned = 0
    for statement in list(typed.subjects(RDF.predicate, FERAG.relatedTo)):
        subject, obj = typed.value(statement, RDF.subject), typed.value(statement, RDF.object)
        if not isinstance(subject, URIRef) or not isinstance(obj, URIRef):
            continue
        s_classes, o_classes = _classes(typed, subject, known), _classes(typed, obj, known)
        for cls in s_classes | o_classes:
            if cls not in ancestors:
                ancestors[cls] = known.ancestors(cls)
        s_up = set().union(*(ancestors[c] for c in s_classes))
        candidates = []
        for prop in sorted(known.properties_with(RDFS.domain, s_up)):
            if prop not in infos:
                infos[prop] = known.property_info(prop)
            candidates.append(infos[prop])
        description = str(typed.value(statement, DCTERMS.description) or "")
        prop = choose_property(s_classes, o_classes, description, candidates, ancestors)
        if prop != FERAG.relatedTo:
            typed.remove((subject, FERAG.relatedTo, obj))
            typed.add((subject, prop, obj))
            typed.set((statement, RDF.predicate, prop))
            assigned += 1
    return assigned


def _classes(typed: Graph, entity: URIRef, known: KnownTerms) -> set[URIRef]:
    """The known classes ``entity`` is typed with."""
    return {
        c for c in typed.objects(entity, RDF.type) if isinstance(c, URIRef) and known.is_class(c)
    }
