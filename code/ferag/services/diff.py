"""A cycle's change set in human terms: entities, relations and ontology terms added, changed
and removed, each with the passages behind it; counted in full and paged section by section.

Everything is read with SPARQL over the cycle's ``add`` and ``remove`` graphs and production,
and only for the resources of the requested page, so the cost follows the page and the change
set, never production. What a section holds is decided by the change set alone:

- *added*: typed (``ferag:Entity``, ``ferag:Relation``, an OWL kind) in ``add``;
- *removed*: typed in ``remove``;
- *changed*: any other resource with triples in ``add`` or ``remove`` that production types.

The items are ``ferag.services.diff_models``, which the API answers as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from ferag.db.models import Cycle, CycleStatus
from ferag.errors import Conflict
from ferag.services.changes import cycle_graph
from ferag.services.diff_items import Facts, entity_change, ontology_change, relation_change
from ferag.services.diff_models import (
    CycleDiffPublic,
    DiffCounts,
    DiffSection,
    EntityChanges,
    OntologyChanges,
    RelationChanges,
)
from ferag.store.client import TripleStore, store_errors
from ferag.store.production import production_graph
from ferag.store.terms import iri
from graphrag_lib.vocab import FERAG, RagIris

SECTIONS: tuple[DiffSection, ...] = (
    "entities_added", "entities_changed", "entities_removed",
    "relations_added", "relations_changed", "relations_removed",
    "ontology_added", "ontology_changed",
)  # fmt: skip
READABLE = (CycleStatus.review, CycleStatus.stale, CycleStatus.approved)
_OWL_KINDS = " ".join(iri(str(k)) for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty))
_KINDS = {
    "entities": f"?s a {iri(str(FERAG.Entity))}",
    "relations": f"?s a {iri(str(FERAG.Relation))}",
    "ontology": f"VALUES ?kind {{ {_OWL_KINDS} }} ?s a ?kind",
}


@dataclass(frozen=True)
class ChangeSetGraphs:
    """The three graphs a diff reads, as SPARQL IRI terms."""

    add: str
    remove: str
    prod: str

    @classmethod
    def of(cls, iris: RagIris, cycle_id: int) -> ChangeSetGraphs:
        return cls(
            add=iri(cycle_graph(iris, cycle_id, "add")),
            remove=iri(cycle_graph(iris, cycle_id, "remove")),
            prod=iri(production_graph(iris)),
        )

    def section(self, name: DiffSection) -> str:
        """The pattern binding ``?s`` to the resources of section ``name``."""
        group, change = name.split("_")
        kind = _KINDS[group]
        if change == "added":
            return f"GRAPH {self.add} {{ {kind} }}"
        if change == "removed":
            return f"GRAPH {self.remove} {{ {kind} }}"
        touched = (
            f"{{ SELECT DISTINCT ?s WHERE {{ {{ GRAPH {self.add} {{ ?s ?p ?o }} }} "
            f"UNION {{ GRAPH {self.remove} {{ ?s ?p ?o }} }} }} }}"
        )
        return (
            f"{touched} FILTER EXISTS {{ GRAPH {self.prod} {{ {kind} }} }} "
            f"FILTER NOT EXISTS {{ GRAPH {self.add} {{ {kind} }} }} "
            f"FILTER NOT EXISTS {{ GRAPH {self.remove} {{ {kind} }} }}"
        )


def _count(store: TripleStore, rag_id: int, pattern: str, target: str = "DISTINCT ?s") -> int:
    rows = store.select(rag_id, f"SELECT (COUNT({target}) AS ?n) WHERE {{ {pattern} }}")
    return int(rows[0]["n"]["value"]) if rows else 0


def count_changes(store: TripleStore, rag_id: int, graphs: ChangeSetGraphs) -> DiffCounts:
    counts = {name: _count(store, rag_id, graphs.section(name)) for name in SECTIONS}
    entity = iri(str(FERAG.Entity))
    described = iri(str(DCTERMS.description))
    return DiffCounts(
        **counts,
        aliases_added=_count(
            store, rag_id, f"GRAPH {graphs.add} {{ ?s {iri(str(SKOS.altLabel))} ?o }}", "*"
        ),
        descriptions_changed=_count(
            store,
            rag_id,
            f"GRAPH {graphs.remove} {{ ?s {described} ?o }} "
            f"FILTER EXISTS {{ GRAPH {graphs.prod} {{ ?s a {entity} }} }} "
            f"FILTER NOT EXISTS {{ GRAPH {graphs.remove} {{ ?s a {entity} }} }}",
        ),
        triples_added=_count(store, rag_id, f"GRAPH {graphs.add} {{ ?s ?p ?o }}", "*"),
        triples_removed=_count(store, rag_id, f"GRAPH {graphs.remove} {{ ?s ?p ?o }}", "*"),
    )


def _page(store: TripleStore, rag_id: int, pattern: str, offset: int, limit: int) -> list[URIRef]:
    rows = store.select(
        rag_id,
        f"SELECT DISTINCT ?s WHERE {{ {pattern} FILTER(isIRI(?s)) }} "
        f"ORDER BY ?s OFFSET {int(offset)} LIMIT {int(limit)}",
    )
    return [URIRef(row["s"]["value"]) for row in rows]


def _read_facts(
    store: TripleStore, rag_id: int, graphs: ChangeSetGraphs, subjects: Sequence[URIRef]
) -> Facts:
    facts = Facts(store, rag_id, {"add": graphs.add, "remove": graphs.remove, "prod": graphs.prod})
    facts.load(subjects)
    return facts


Builder = Callable[[Facts, URIRef, str, RagIris], Any]
_BUILDERS: dict[str, Builder] = {
    "entities": entity_change,
    "relations": relation_change,
    "ontology": ontology_change,
}


def _section_items(
    store: TripleStore,
    rag_id: int,
    iris: RagIris,
    graphs: ChangeSetGraphs,
    name: DiffSection,
    page: tuple[int, int],
) -> list[Any]:
    subjects = _page(store, rag_id, graphs.section(name), *page)
    if not subjects:
        return []
    group, change = name.split("_")
    facts = _read_facts(store, rag_id, graphs, subjects)
    facts.load_related(subjects, change)
    return [_BUILDERS[group](facts, s, change, iris) for s in subjects]


def cycle_diff(
    store: TripleStore,
    iris: RagIris,
    cycle: Cycle,
    section: DiffSection | None,
    offset: int,
    limit: int,
) -> CycleDiffPublic:
    """The cycle's change set: all counts, and one page of ``section`` (of every section when
    ``section`` is None)."""
    if cycle.status not in READABLE:
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; a change set exists once the cycle "
            "reaches review (rejected cycles' change sets are discarded)",
            code="change_set_unavailable",
        )
    graphs = ChangeSetGraphs.of(iris, cycle.id)
    items: dict[str, list[Any]] = {}
    with store_errors("read the change set"):
        counts = count_changes(store, cycle.rag_id, graphs)
        for name in SECTIONS if section is None else (section,):
            if getattr(counts, name) > offset:
                page = (offset, limit)
                items[name] = _section_items(store, cycle.rag_id, iris, graphs, name, page)

    def part(name: str) -> list[Any]:
        return items.get(name, [])

    return CycleDiffPublic(
        cycle_id=cycle.id,
        base_version=cycle.base_version,
        counts=counts,
        section=section,
        offset=offset,
        limit=limit,
        entities=EntityChanges(
            added=part("entities_added"),
            changed=part("entities_changed"),
            removed=part("entities_removed"),
        ),
        relations=RelationChanges(
            added=part("relations_added"),
            changed=part("relations_changed"),
            removed=part("relations_removed"),
        ),
        ontology=OntologyChanges(added=part("ontology_added"), changed=part("ontology_changed")),
    )
