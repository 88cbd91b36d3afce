"""Comparing the rewritten candidate with production, resource by resource.

Single-valued properties (``rewrite.SINGLE_VALUED``) are replaced when the candidate's value
differs; the others accumulate, so provenance is never dropped. An entity keeps its production
``rdfs:label``; candidate labels it does not have yet (compared case-insensitively) become
``skos:altLabel``. Entity descriptions merge (``graphrag_lib.temporal.descriptions``): the
candidate's new sentences are appended to production's text, and the old text is kept as a
``ferag:DescriptionRecord`` with the passages it came from and the version that replaced it
(``ferag:invalidatedIn``). Relation statements are not compared here: ``graphrag_lib.temporal``
decides on them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from graphrag_lib.merge.rewrite import SINGLE_VALUED
from graphrag_lib.temporal.descriptions import merge_description
from graphrag_lib.vocab import FERAG, RagIris, hash_key, normalise_label, text_literal

_LABELS = (RDFS.label, SKOS.altLabel)


def _form(label: Node) -> str:
    return " ".join(str(label).casefold().split())


@dataclass
class ResourceDiffer:
    """Accumulates ``add``/``remove`` and counts over the resources it is given."""

    production: Graph  # production triples of every resource compared
    iris: RagIris
    version: int  # the version approval makes: it ends replaced descriptions
    merge_descriptions: bool = True
    add: Graph = field(default_factory=Graph)
    remove: Graph = field(default_factory=Graph)
    counts: Counter[str] = field(default_factory=Counter)

    def compare(self, resource: URIRef, candidate: Graph) -> bool:
        """Record the changes ``candidate`` makes to ``resource``; True if there are any."""
        before = len(self.add) + len(self.remove)
        if (resource, None, None) not in self.production:
            for triple in candidate.triples((resource, None, None)):
                self.add.add(triple)
            return True
        is_entity = (resource, RDF.type, FERAG.Entity) in candidate
        labelled = is_entity and (resource, RDFS.label, None) in self.production
        if labelled:
            self._labels(resource, candidate)
        predicates = {p for p in candidate.predicates(resource) if isinstance(p, URIRef)}
        for p in sorted(predicates):
            if labelled and p in (*_LABELS, FERAG.normalisedLabel):
                continue
            new = set(candidate.objects(resource, p))
            old = set(self.production.objects(resource, p))
            if p in SINGLE_VALUED:
                self._replace(resource, p, new, old, is_entity)
            else:
                self._add(resource, p, new - old)
        return len(self.add) + len(self.remove) > before

    def _labels(self, entity: URIRef, candidate: Graph) -> None:
        known = {_form(label) for p in _LABELS for label in self.production.objects(entity, p)}
        for p in _LABELS:
            for label in sorted(candidate.objects(entity, p), key=str):
                if _form(label) in known:
                    continue
                known.add(_form(label))
                self.add.add((entity, SKOS.altLabel, label))
                normalised = Literal(normalise_label(str(label)))
                if (entity, FERAG.normalisedLabel, normalised) not in self.production:
                    self.add.add((entity, FERAG.normalisedLabel, normalised))
                self.counts["aliases_added"] += 1

    def _replace(
        self, resource: URIRef, p: URIRef, new: set[Node], old: set[Node], is_entity: bool
    ) -> None:
        if new == old:
            return
        if p == DCTERMS.description and is_entity and old:
            self._merge_description(resource, new, old)
            return
        for value in old - new:
            self.remove.add((resource, p, value))
        self._add(resource, p, new - old)

    def _add(self, resource: URIRef, p: URIRef, values: set[Node]) -> None:
        for value in values:
            self.add.add((resource, p, value))

    def _merge_description(self, entity: URIRef, new: set[Node], old: set[Node]) -> None:
        """Production's text plus the candidate's new sentences; the old text as a record."""
        if not self.merge_descriptions:
            return
        before = sorted(old, key=str)
        text = " ".join(str(v) for v in before)
        merged = text
        for value in sorted(new, key=str):
            merged = merge_description(merged, str(value))
        if merged == text:
            return
        for value in before:
            self.remove.add((entity, DCTERMS.description, value))
            self._record(entity, value)
        self.add.add((entity, DCTERMS.description, text_literal(merged)))
        self.counts["descriptions_merged"] += 1

    def _record(self, entity: URIRef, old: Node) -> None:
        key = f"{self.iris.key_of(entity, 'entity')}-{hash_key(str(old))}"
        record = self.iris.description_record(key)
        self.add.add((entity, FERAG.supersededDescription, record))
        self.add.add((record, RDF.type, FERAG.DescriptionRecord))
        self.add.add((record, FERAG.text, old))
        self.add.add((record, FERAG.invalidatedIn, self.iris.version(self.version)))
        for passage in self.production.objects(entity, PROV.wasDerivedFrom):
            self.add.add((record, PROV.wasDerivedFrom, passage))
