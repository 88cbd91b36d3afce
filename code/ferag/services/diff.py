"""A cycle's change set in human terms: entities, relations and ontology terms added, changed
and removed, the merges of entity resolution, and the facts it supersedes, ends or flags, each
with the passages behind it; counted in full and paged section by section.

Everything is read by ``ferag.store.change_sets`` from the cycle's ``add`` and ``remove``
graphs and production, and only for the resources of the requested page, so the cost follows
the page and the change set, never production; that module also says what a section holds.
The counts read every subject of the change set, so they are read once, when the cycle is
staged (``change_set_counts``, kept in the staging step's stats as ``diff_counts``), and every
page after that reads only its own items.

The items are ``ferag.services.diff_models``, which the API answers as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import URIRef

from ferag.cycle import lifecycle
from ferag.db.models import Cycle, CycleStatus
from ferag.errors import Conflict
from ferag.services.diff_facts import fact_change, load_fact_page
from ferag.services.diff_items import (
    Facts,
    entity_change,
    merge_record,
    ontology_change,
    relation_change,
)
from ferag.services.diff_models import (
    CycleDiffPublic,
    DiffCounts,
    DiffSection,
    EntityChanges,
    FactChanges,
    GateViolation,
    MergeChanges,
    OntologyChanges,
    RelationChanges,
    StepWarning,
)
from ferag.store.change_sets import ChangeSetGraphs, count_changes, section_page
from ferag.store.client import TripleStore, store_errors
from ferag.store.cycles import cycle_violations
from ferag.store.space import RagSpace
from graphrag_lib.vocab import RagIris

FACT_SECTIONS: tuple[DiffSection, ...] = ("facts_superseded", "facts_ended", "facts_flagged")
SECTIONS: tuple[DiffSection, ...] = (
    "entities_added", "entities_changed", "entities_removed",
    "relations_added", "relations_changed", "relations_removed",
    "ontology_added", "ontology_changed",
    "merges_production", "merges_cycle", "merges_flagged",
    *FACT_SECTIONS,
)  # fmt: skip
READABLE = (CycleStatus.review, CycleStatus.stale, CycleStatus.approved)
COUNTS = "diff_counts"  # the staging step's stat that keeps the change set's counts


Builder = Callable[[Facts, URIRef, str, RagIris], Any]
_BUILDERS: dict[str, Builder] = {
    "entities": entity_change,
    "relations": relation_change,
    "ontology": ontology_change,
    "merges": merge_record,
}


def _section_items(
    space: RagSpace, graphs: ChangeSetGraphs, name: DiffSection, page: tuple[int, int]
) -> list[Any]:
    subjects = section_page(space, graphs, name, *page)
    if not subjects:
        return []
    group, change = name.split("_")
    if group == "facts":
        return _fact_items(space, graphs, subjects, change)
    if group == "merges":  # records are added resources, whatever their scope
        change = "added"
    facts = Facts(space, graphs)
    facts.load(subjects)
    facts.load_related(subjects, change)
    return [_BUILDERS[group](facts, s, change, space.iris) for s in subjects]


def _fact_items(
    space: RagSpace, graphs: ChangeSetGraphs, subjects: list[URIRef], change: str
) -> list[Any]:
    facts = Facts(space, graphs)
    load_fact_page(facts, subjects)
    return [fact_change(facts, s, change, space.iris) for s in subjects]


def _fact_changes(part: Callable[[str], list[Any]]) -> FactChanges:
    return FactChanges(
        superseded=part("facts_superseded"),
        ended=part("facts_ended"),
        flagged=part("facts_flagged"),
    )


def require_change_set(cycle: Cycle) -> None:
    """``Conflict`` unless the cycle has a change set to read (review, stale, approved)."""
    if cycle.status not in READABLE:
        raise Conflict(
            f"cycle {cycle.id} is {cycle.status.value}; a change set exists once the cycle "
            "reaches review (rejected cycles' change sets are discarded)",
            code="change_set_unavailable",
        )


def change_set_counts(space: RagSpace, cycle_id: int) -> dict[str, int]:
    """The counts of every section of the cycle's change set, as the diff reports them (the
    staging step keeps them: ``COUNTS``)."""
    with store_errors("count the change set"):
        return count_changes(space, ChangeSetGraphs.of(space, cycle_id), SECTIONS)


def _stored_counts(cycle: Cycle) -> dict[str, int] | None:
    """The counts kept when the cycle was staged, if they cover every section (a cycle staged
    before a section existed is counted again)."""
    stored = cycle.stats.get("staging", {}).get(COUNTS)
    return stored if isinstance(stored, dict) and set(SECTIONS) <= stored.keys() else None


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
    require_change_set(cycle)
    space = RagSpace(store, cycle.rag_id, iris)
    graphs = ChangeSetGraphs.of(space, cycle.id)
    items: dict[str, list[Any]] = {}
    with store_errors("read the change set"):
        stored = _stored_counts(cycle)
        counts = DiffCounts(**(stored or count_changes(space, graphs, SECTIONS)))
        counts.violations, violations = _violations(space, cycle, section, (offset, limit))
        for name in SECTIONS:  # "violations" is not one of them: it is read above
            if section in (None, name) and getattr(counts, name) > offset:
                items[name] = _section_items(space, graphs, name, (offset, limit))

    def part(name: str) -> list[Any]:
        return items.get(name, [])

    return CycleDiffPublic(
        cycle_id=cycle.id,
        kind=cycle.kind,
        base_version=cycle.base_version,
        counts=counts,
        warnings=[StepWarning(step=step, message=text) for step, text in lifecycle.warnings(cycle)],
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
        merges=MergeChanges(
            production=part("merges_production"),
            cycle=part("merges_cycle"),
            flagged=part("merges_flagged"),
        ),
        violations=violations,
        facts=_fact_changes(part),
    )


def _violations(
    space: RagSpace, cycle: Cycle, section: DiffSection | None, page: tuple[int, int]
) -> tuple[int, list[GateViolation]]:
    """The gate's blocking count and the page of its findings (section ``violations``)."""
    count = int(cycle.stats.get("staging", {}).get("violations", 0) or 0)
    if section not in (None, "violations"):
        return count, []
    found = cycle_violations(space, cycle.id)
    offset, limit = page
    return count, [
        GateViolation.model_validate(v.to_json()) for v in found[offset : offset + limit]
    ]
