"""Ontology alignment: candidate terms that production already has (by IRI, or by normalised
local name or label, same kind) are mapped onto production's IRIs instead of re-invented.

A property matches by name only where its ends fit: its domain and range (classes aligned
first) are the production property's or narrower. Two properties sharing a word ("programme"
of an organisation, "programme" held at a place) are different terms, and mapping one onto the
other would type the relation's ends wrongly."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from graphrag_lib.schema.terms import (
    TERM_KINDS,
    declared,
    subclass_cycle,
    superclasses,
    term_names,
)

logger = logging.getLogger(__name__)
_DEFINED_ONCE = (RDFS.domain, RDFS.range, RDFS.label, RDFS.comment)


@dataclass
class OntologyAlignment:
    term_map: dict[URIRef, URIRef] = field(default_factory=dict)  # candidate → production IRI
    reused: set[URIRef] = field(default_factory=set)  # production IRIs the candidate uses
    added: set[URIRef] = field(default_factory=set)  # candidate terms new to production


Fits = Callable[[URIRef, URIRef], bool]  # (candidate term, production term)


def align_ontology(candidate: Graph, production: Graph) -> OntologyAlignment:
    alignment = OntologyAlignment()
    for kind in TERM_KINDS:  # classes first: a property's ends are compared once they are aligned
        existing = declared(production, kind)
        by_name: dict[str, set[URIRef]] = {}
        for term in existing:
            for name in term_names(production, term):
                by_name.setdefault(name, set()).add(term)
        fits = _ends_fit(candidate, production, alignment) if kind == OWL.ObjectProperty else None
        for term in sorted(declared(candidate, kind)):
            match = term if term in existing else _match(term, candidate, by_name, fits)
            if match is None:
                alignment.added.add(term)
                continue
            alignment.reused.add(match)
            if match != term:
                alignment.term_map[term] = match
    return alignment


def _match(
    term: URIRef, candidate: Graph, by_name: dict[str, set[URIRef]], fits: Fits | None
) -> URIRef | None:
    """The smallest production IRI sharing a name with ``term`` (and whose ends fit it)."""
    found = {match for name in term_names(candidate, term) for match in by_name.get(name, ())}
    return min((m for m in found if fits is None or fits(term, m)), default=None)


def _ends_fit(candidate: Graph, production: Graph, alignment: OntologyAlignment) -> Fits:
    """Whether a candidate property's domain and range are a production property's or
    narrower (an end production leaves open fits anything)."""
    ancestors = superclasses(candidate + production)

    def within(end: URIRef | None, bound: URIRef | None) -> bool:
        if bound is None:
            return True
        if end is None:
            return False
        aligned = alignment.term_map.get(end, end)
        return bound in ancestors.get(end, {end}) | ancestors.get(aligned, {aligned})

    def fits(term: URIRef, match: URIRef) -> bool:
        return all(
            within(_end(candidate, term, side), _end(production, match, side))
            for side in (RDFS.domain, RDFS.range)
        )

    return fits


def _end(graph: Graph, prop: URIRef, side: URIRef) -> URIRef | None:
    value = graph.value(prop, side)
    return value if isinstance(value, URIRef) else None


def ontology_additions(candidate: Graph, production: Graph, alignment: OntologyAlignment) -> Graph:
    """Triples of the (already renamed) candidate ontology that production lacks.

    Reused terms keep production's domain, range, label and comment; a ``rdfs:subClassOf``
    link that would close a cycle with production's hierarchy is dropped (and logged).
    """
    additions = Graph()
    for s, p, o in candidate:
        if (s, p, o) in production:
            continue
        if s in alignment.reused and p in _DEFINED_ONCE and (s, p, None) in production:
            continue
        additions.add((s, p, o))
    _drop_cycles(additions, production)
    return additions


def _drop_cycles(additions: Graph, production: Graph) -> None:
    while cycle := subclass_cycle(additions + production):
        links = ((cycle[i], RDFS.subClassOf, cycle[i + 1]) for i in range(len(cycle) - 1))
        dropped = next((link for link in links if link in additions), None)
        if dropped is None:
            return  # the cycle is production's own
        logger.warning("dropped %s rdfs:subClassOf %s: it closes a cycle", dropped[0], dropped[2])
        additions.remove(dropped)
