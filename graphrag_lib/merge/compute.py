"""``compute_change_set``: the minimal add/remove graphs that merge a candidate into production."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graphrag_lib.merge.config import ChangeSet, ChangeSetStats, MergeConfig
from graphrag_lib.merge.diff import ResourceDiffer
from graphrag_lib.merge.ontology import OntologyAlignment, align_ontology, ontology_additions
from graphrag_lib.merge.resolve import describe, resolve_entities
from graphrag_lib.merge.rewrite import combine_duplicates, rekey_statements, rename, set_entity_keys
from graphrag_lib.merge.view import ProductionView
from graphrag_lib.schema.terms import ontology_part, superclasses
from graphrag_lib.vocab import FERAG, RagIris, bind_prefixes

logger = logging.getLogger(__name__)


def _rewritten_data(
    data: Graph, production: ProductionView, iris: RagIris, ontology: Graph, config: MergeConfig
) -> tuple[Graph, Graph, int]:
    """The candidate's data on production IRIs, the production triples already read, and how
    many entities were mapped onto existing production entities."""
    entity_map, described = resolve_entities(data, production, iris, superclasses(ontology), config)
    rewritten = rekey_statements(rename(data, entity_map), iris)
    set_entity_keys(rewritten, iris)
    combine_duplicates(rewritten)
    return rewritten, described, len(entity_map)


def _kind(resource: URIRef, data: Graph) -> str | None:
    if (resource, RDF.type, FERAG.Relation) in data:
        return "relations"
    return "entities" if (resource, RDF.type, FERAG.Entity) in data else None


def _compare_all(data: Graph, described: Graph, differ: ResourceDiffer) -> dict[str, int]:
    """Compare every candidate resource; count entities and relations added/changed/unchanged."""
    counts = {f"{kind}_{state}": 0 for kind in ("entities", "relations")
              for state in ("added", "changed", "unchanged")}  # fmt: skip
    for resource in sorted({s for s in data.subjects() if isinstance(s, URIRef)}):
        existed = (resource, None, None) in described
        changed = differ.compare(resource, data)
        if kind := _kind(resource, data):
            state = "changed" if existed and changed else "unchanged" if existed else "added"
            counts[f"{kind}_{state}"] += 1
    return counts


def _minimal(
    add: Graph, described: Graph, production: ProductionView, config: MergeConfig
) -> Graph:
    """``add`` without triples production has about resources not read yet (for example a
    description record written by an earlier cycle)."""
    fresh = {s for s in add.subjects() if isinstance(s, URIRef)} - set(described.subjects())
    return add - describe(production, fresh, config)


def _stats(
    counts: dict[str, int], differ: ResourceDiffer, alignment: OntologyAlignment, add: Graph
) -> ChangeSetStats:
    return ChangeSetStats(
        **counts,
        aliases_added=differ.counts["aliases_added"],
        descriptions_superseded=differ.counts["descriptions_superseded"],
        ontology_terms_added=len(alignment.added),
        ontology_terms_reused=len(alignment.reused),
        triples_added=len(add),
        triples_removed=len(differ.remove),
    )


def compute_change_set(
    candidate: Graph,
    production: ProductionView,
    iris: RagIris,
    config: MergeConfig,
    *,
    now: datetime | None = None,
) -> ChangeSet:
    """Merge ``candidate`` (typed instances + ontology from the schema step) into production.

    Reads production only through ``production`` (lookups by label and by IRI, the ontology),
    so its cost follows the candidate's size. ``now`` stamps superseded descriptions.
    """
    candidate_ontology = ontology_part(candidate)
    production_ontology = production.ontology()
    alignment = align_ontology(candidate_ontology, production_ontology)
    ontology = rename(candidate_ontology, alignment.term_map)
    data = rename(candidate - candidate_ontology, alignment.term_map)
    merged_ontology = production_ontology + ontology
    data, described, mapped = _rewritten_data(data, production, iris, merged_ontology, config)
    unread = {s for s in data.subjects() if isinstance(s, URIRef)} - set(described.subjects())
    described += describe(production, unread, config)
    now = now or datetime.now(UTC)
    differ = ResourceDiffer(described, iris, now, config.supersede_descriptions)
    counts = _compare_all(data, described, differ)
    add = differ.add + ontology_additions(ontology, production_ontology, alignment)
    add = _minimal(add, described, production, config)
    for graph in (add, differ.remove):
        bind_prefixes(graph, iris)
    stats = _stats(counts, differ, alignment, add)
    logger.info("change set: %s (%d entities resolved to production)", stats, mapped)
    return ChangeSet(add, differ.remove, stats)
