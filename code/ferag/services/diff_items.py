"""The items of a diff page, built from the triples read for its resources (``Facts``).

``Facts`` keeps what it reads per graph (``add``, ``remove``, ``prod``), so an item can say
what is new (``add``), what it replaces (``remove``) and what stays (``prod``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from rdflib.term import Node

from ferag.services.diff_models import (
    EntityChange,
    EntityRef,
    MergeRecord,
    OntologyChange,
    OntologyKind,
    Provenance,
    RelationChange,
    Statement,
)
from ferag.store.change_sets import ChangeSetGraphs, read_facts
from ferag.store.space import RagSpace
from graphrag_lib.vocab import FERAG, RagIris

GRAPHS = ("add", "remove", "prod")
MAX_PROVENANCE = 3
SNIPPET_CHARS = 240
# Where an item's current values are read, by the section's kind of change.
NEWEST = {"added": ("add",), "changed": ("add", "prod"), "removed": ("remove",)}
EXISTING = ("prod", "add", "remove")
_PREFIXES = (
    ("rdf", str(RDF)), ("rdfs", str(RDFS)), ("owl", str(OWL)), ("skos", str(SKOS)),
    ("dcterms", str(DCTERMS)), ("prov", str(PROV)), ("ferag", str(FERAG)), ("xsd", str(XSD)),
)  # fmt: skip
_OWL_KINDS: dict[Node, OntologyKind] = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object_property",
    OWL.DatatypeProperty: "datatype_property",
}


# What a diff item names by IRI and shows by label: relations' ends, merge records' entities.
_ENDS = (RDF.subject, RDF.object, FERAG.survivor, FERAG.absorbed)


class Facts:
    """Triples of selected resources, read once per page and kept by graph."""

    def __init__(self, space: RagSpace, graphs: ChangeSetGraphs) -> None:
        self.space = space
        self.graphs = graphs
        self.by_graph = {name: Graph() for name in GRAPHS}

    def load(self, subjects: Iterable[Node], predicates: Collection[URIRef] = ()) -> None:
        """Read the triples of ``subjects`` (only ``predicates``, if given) from every graph."""
        for name, s, p, o in read_facts(self.space, self.graphs, subjects, predicates):
            self.by_graph[name].add((s, p, o))

    def values(self, s: Node, p: URIRef, graphs: Iterable[str] = GRAPHS) -> list[Node]:
        found = {o for name in graphs for o in self.by_graph[name].objects(s, p)}
        return sorted(found, key=str)

    def first(self, s: Node, p: URIRef, order: Iterable[str] = EXISTING) -> Node | None:
        """The value in the first graph of ``order`` that has one."""
        for name in order:
            if values := self.values(s, p, (name,)):
                return values[0]
        return None

    def text(self, s: Node | None, p: URIRef, order: Iterable[str] = EXISTING) -> str | None:
        value = self.first(s, p, order) if s is not None else None
        return None if value is None else str(value)

    def passages(self, s: Node, change: str) -> list[Node]:
        """The passages an item's change comes from (new ones first; at most a few)."""
        for name in NEWEST[change]:
            if found := self.values(s, PROV.wasDerivedFrom, (name,)):
                return found[:MAX_PROVENANCE]
        return []

    def load_related(self, subjects: Iterable[Node], change: str) -> None:
        """Passages and their documents, and the labels of relations' ends."""
        listed = list(subjects)
        self.load_sources({p for s in listed for p in self.passages(s, change)}, listed)

    def load_sources(self, passages: set[Node], items: Iterable[Node]) -> None:
        """The text and document of ``passages``, and the labels of ``items``' ends."""
        ends = {o for s in items for p in _ENDS for o in self.values(s, p)}
        self.load(passages | ends, (FERAG.text, FERAG.inDocument, RDFS.label))
        self.load({d for p in passages for d in self.values(p, FERAG.inDocument)}, (FERAG.path,))

    def provenance(self, s: Node, change: str, mention: str | None) -> list[Provenance]:
        return self.sources(self.passages(s, change), mention)

    def sources(self, passages: Iterable[Node], mention: str | None) -> list[Provenance]:
        """``passages`` (loaded by ``load_sources``) as snippets around ``mention``."""
        found = []
        for passage in passages:
            document = self.first(passage, FERAG.inDocument)
            found.append(
                Provenance(
                    passage=str(passage),
                    document=None if document is None else str(document),
                    path=self.text(document, FERAG.path),
                    snippet=snippet(self.text(passage, FERAG.text) or "", mention),
                )
            )
        return found


def snippet(text: str, mention: str | None, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` around the first ``mention`` (or its start)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    at = text.casefold().find(mention.casefold()) if mention else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    end = min(len(text), start + width)
    start = max(0, end - width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def compact(node: Node, iris: RagIris) -> str:
    """A readable form: ``ont:worksFor``, ``rdfs:label``, or a literal's text."""
    if not isinstance(node, URIRef):
        return str(node)
    for prefix, namespace in (("ont", str(iris.ontology)), *_PREFIXES):
        if str(node).startswith(namespace):
            return f"{prefix}:{str(node)[len(namespace) :]}"
    return str(node)


def _number(node: Node | None) -> float | None:
    if isinstance(node, Literal) and isinstance(node.toPython(), int | float | Decimal):
        return float(node.toPython())
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def added_text(old: str, new: str) -> str | None:
    """What a merged description adds to ``old``: the sentences of ``new`` that ``old`` does
    not hold (merge appends them), None when the new text adds nothing."""
    held = {" ".join(part.casefold().split()) for part in _SENTENCE_END.split(old)}
    added = [
        part.strip()
        for part in _SENTENCE_END.split(new)
        if part.strip() and " ".join(part.casefold().split()) not in held
    ]
    return " ".join(added) or None


def entity_change(facts: Facts, s: URIRef, change: str, iris: RagIris) -> EntityChange:
    label = facts.text(s, RDFS.label)
    typed = NEWEST[change] if change != "changed" else GRAPHS
    classes = [c for c in facts.values(s, RDF.type, typed) if c != FERAG.Entity]
    description = facts.text(s, DCTERMS.description, NEWEST[change])
    old = facts.text(s, DCTERMS.description, ("remove",)) if change == "changed" else None
    return EntityChange(
        iri=str(s),
        label=label,
        classes=[iris.local_name(c) or compact(c, iris) for c in classes if isinstance(c, URIRef)],
        description=description,
        old_description=old,
        description_added=added_text(old, description) if old and description else None,
        new_aliases=(
            [str(a) for a in facts.values(s, SKOS.altLabel, ("add",))]
            if change != "removed"
            else []
        ),
        provenance=facts.provenance(s, change, label),
    )


def end_ref(facts: Facts, s: Node, p: URIRef) -> EntityRef:
    """The entity at ``p`` of ``s`` (a relation's end, a merge's survivor) with its label."""
    node = facts.first(s, p)
    return EntityRef(iri=str(node or ""), label=facts.text(node, RDFS.label))


def relation_change(facts: Facts, s: URIRef, change: str, iris: RagIris) -> RelationChange:
    subject = end_ref(facts, s, RDF.subject)
    predicate = facts.first(s, RDF.predicate)
    changed = change == "changed"
    return RelationChange(
        iri=str(s),
        subject=subject,
        predicate=compact(predicate, iris) if predicate is not None else "",
        object=end_ref(facts, s, RDF.object),
        description=facts.text(s, DCTERMS.description, NEWEST[change]),
        old_description=facts.text(s, DCTERMS.description, ("remove",)) if changed else None,
        weight=_number(facts.first(s, FERAG.weight, NEWEST[change])),
        old_weight=_number(facts.first(s, FERAG.weight, ("remove",))) if changed else None,
        provenance=facts.provenance(s, change, subject.label),
    )


def _statements(facts: Facts, s: URIRef, graph: str, iris: RagIris) -> list[Statement]:
    pairs = facts.by_graph[graph].predicate_objects(s)
    listed = {(compact(p, iris), compact(o, iris)) for p, o in pairs}
    return [Statement(predicate=p, value=o) for p, o in sorted(listed)]


def ontology_change(facts: Facts, s: URIRef, change: str, iris: RagIris) -> OntologyChange:
    kinds = [_OWL_KINDS[k] for k in facts.values(s, RDF.type) if k in _OWL_KINDS]
    return OntologyChange(
        iri=str(s),
        kind=kinds[0] if kinds else "class",
        label=facts.text(s, RDFS.label),
        added=_statements(facts, s, "add", iris),
        removed=_statements(facts, s, "remove", iris),
    )


def _signals(evidence: str | None) -> dict[str, float]:
    """The numeric signals of a record's ``ferag:evidence`` JSON (nothing if it is not JSON)."""
    try:
        parsed = json.loads(evidence or "{}")
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {k: float(v) for k, v in parsed.items() if isinstance(v, int | float)}


def merge_record(facts: Facts, s: URIRef, change: str, iris: RagIris) -> MergeRecord:
    names = [str(n) for n in facts.values(s, FERAG.absorbedLabel, ("add",))]
    status = facts.text(s, FERAG.mergeStatus, ("add",))
    return MergeRecord(
        iri=str(s),
        status="flagged" if status == "flagged" else "merged",
        scope="cycle" if facts.text(s, FERAG.mergeScope, ("add",)) == "cycle" else "production",
        survivor=end_ref(facts, s, FERAG.survivor),
        absorbed=end_ref(facts, s, FERAG.absorbed),
        absorbed_labels=names,
        score=_number(facts.first(s, FERAG.score, ("add",))),
        signals=_signals(facts.text(s, FERAG.evidence, ("add",))),
        decided_by=facts.text(s, FERAG.decidedBy, ("add",)),
        reason=facts.text(s, FERAG.reason, ("add",)),
        provenance=facts.provenance(s, change, names[0] if names else None),
    )
