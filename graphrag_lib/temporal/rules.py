"""Contradictions the ontology decides: a functional property has one value per subject (a
person is located in one place), an inverse-functional one one subject per value (an
organisation has one director). Read from the merged ontology (production + candidate)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from graphrag_lib.temporal.facts import Fact


@dataclass(frozen=True)
class PropertyRules:
    """The ontology's functional and inverse-functional properties."""

    functional: frozenset[URIRef]
    inverse_functional: frozenset[URIRef]

    @classmethod
    def of(cls, ontology: Graph) -> PropertyRules:
        def declared(kind: URIRef) -> frozenset[URIRef]:
            return frozenset(p for p in ontology.subjects(RDF.type, kind) if isinstance(p, URIRef))

        return cls(declared(OWL.FunctionalProperty), declared(OWL.InverseFunctionalProperty))

    def conflict(self, new: Fact, old: Fact) -> str | None:
        """Why ``new`` and ``old`` cannot both be true by the ontology (None: it cannot tell)."""
        if new.predicate != old.predicate or new.triple == old.triple:
            return None
        p = new.predicate
        if p in self.functional and new.subject == old.subject:
            return f"functional property {_short(p)}"
        if p in self.inverse_functional and new.object == old.object:
            return f"inverse-functional property {_short(p)}"
        return None

    def is_decided(self, predicate: URIRef) -> bool:
        """Whether the ontology alone decides pairs of this property."""
        return predicate in self.functional or predicate in self.inverse_functional


def _short(iri: URIRef) -> str:
    text = str(iri)
    cut = max(text.rfind("#"), text.rfind("/"))
    return f"ont:{text[cut + 1 :]}" if cut >= 0 else text
