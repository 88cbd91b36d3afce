"""Ontology alignment: candidate terms that production already has (by IRI, or by normalised
local name or label, same kind) are mapped onto production's IRIs instead of re-invented."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from graphrag_lib.schema.terms import TERM_KINDS, declared, subclass_cycle, term_names

logger = logging.getLogger(__name__)
_DEFINED_ONCE = (RDFS.domain, RDFS.range, RDFS.label, RDFS.comment)


@dataclass
class OntologyAlignment:
    term_map: dict[URIRef, URIRef] = field(default_factory=dict)  # candidate → production IRI
    reused: set[URIRef] = field(default_factory=set)  # production IRIs the candidate uses
    added: set[URIRef] = field(default_factory=set)  # candidate terms new to production


def align_ontology(candidate: Graph, production: Graph) -> OntologyAlignment:
    alignment = OntologyAlignment()
    for kind in TERM_KINDS:
        existing = declared(production, kind)
        by_name: dict[str, URIRef] = {}
        for term in sorted(existing, reverse=True):  # the smallest IRI wins a shared name
            by_name.update(dict.fromkeys(term_names(production, term), term))
        for term in sorted(declared(candidate, kind)):
            match = term if term in existing else _match(term_names(candidate, term), by_name)
            if match is None:
                alignment.added.add(term)
                continue
            alignment.reused.add(match)
            if match != term:
                alignment.term_map[term] = match
    return alignment


def _match(names: set[str], by_name: dict[str, URIRef]) -> URIRef | None:
    found = sorted(by_name[name] for name in names if name in by_name)
    return found[0] if found else None


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
