"""``compute_change_set``: the minimal add/remove graphs that merge a candidate into production."""

from __future__ import annotations

import logging

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graphrag_lib.merge.config import ChangeSet, ChangeSetStats, MergeConfig
from graphrag_lib.merge.diff import ResourceDiffer
from graphrag_lib.merge.ontology import OntologyAlignment, align_ontology, ontology_additions
from graphrag_lib.merge.records import merge_records, name_record
from graphrag_lib.merge.resolve import ResolvedEntities, describe, resolve_entities
from graphrag_lib.merge.rewrite import combine_duplicates, rekey_statements, rename, set_entity_keys
from graphrag_lib.merge.view import ProductionView
from graphrag_lib.resolution.judge import Judge
from graphrag_lib.schema.terms import ontology_part, superclasses
from graphrag_lib.temporal.judge import FactJudge
from graphrag_lib.temporal.supersede import FactChanges, merge_facts
from graphrag_lib.vocab import FERAG, RagIris, bind_prefixes

logger = logging.getLogger(__name__)


def _one_label(graph: Graph, resolved: ResolvedEntities) -> None:
    """A merged entity keeps its survivor's label; the other labels become aliases."""
    for survivor in set(resolved.mapping.values()):
        labels = sorted(graph.objects(survivor, RDFS.label), key=str)
        profile = resolved.profiles.get(survivor)
        if len(labels) < 2 or profile is None:
            continue
        keep = next((x for x in labels if str(x) == profile.label), labels[0])
        for label in labels:
            if label != keep:
                graph.remove((survivor, RDFS.label, label))
                graph.add((survivor, SKOS.altLabel, label))


def _drop_self_relations(graph: Graph) -> None:
    """Relations between names that became one entity ("X, also called Y") say nothing more:
    the merge record keeps them."""
    for statement in list(graph.subjects(RDF.type, FERAG.Relation)):
        subject = graph.value(statement, RDF.subject)
        if subject is not None and subject == graph.value(statement, RDF.object):
            predicate = graph.value(statement, RDF.predicate)
            graph.remove((statement, None, None))
            if predicate is not None:
                graph.remove((subject, predicate, subject))


def _rewritten_data(
    data: Graph,
    production: ProductionView,
    iris: RagIris,
    ontology: Graph,
    config: MergeConfig,
    judge: Judge | None,
) -> tuple[Graph, ResolvedEntities]:
    """The candidate's data on production IRIs (merge records included) and what resolution
    found."""
    resolved = resolve_entities(data, production, iris, superclasses(ontology), config, judge)
    rewritten = rekey_statements(rename(data, resolved.mapping), iris)
    for change in resolved.renames:
        entity = resolved.mapping.get(change.new, change.new)
        if (
            resolved.mapping.get(change.old, change.old) == entity
            and change.old in resolved.profiles
        ):
            name_record(rewritten, iris, entity, resolved.profiles[change.old].label, change.when)
    _drop_self_relations(rewritten)
    set_entity_keys(rewritten, iris)
    _one_label(rewritten, resolved)
    combine_duplicates(rewritten)
    return rewritten, resolved


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
    counts: dict[str, int],
    differ: ResourceDiffer,
    alignment: OntologyAlignment,
    add: Graph,
    remove: Graph,
) -> ChangeSetStats:
    return ChangeSetStats(
        **counts,
        aliases_added=differ.counts["aliases_added"],
        descriptions_merged=differ.counts["descriptions_merged"],
        ontology_terms_added=len(alignment.added),
        ontology_terms_reused=len(alignment.reused),
        triples_added=len(add),
        triples_removed=len(remove),
    )


_FACT_COUNTS = ("facts_superseded", "facts_ended", "facts_flagged", "fact_llm_pairs")
_RELATION_COUNTS = ("relations_added", "relations_changed", "relations_unchanged")


def _fact_counts(counts: dict[str, int], facts: FactChanges, fact_judge: object) -> None:
    """The statements' counts (``merge_facts``) added to the others."""
    for name in (*_FACT_COUNTS, *_RELATION_COUNTS):
        counts[name] = counts.get(name, 0) + facts.counts[name]
    counts["llm_calls"] += getattr(getattr(fact_judge, "stats", None), "calls", 0)


def compute_change_set(
    candidate: Graph,
    production: ProductionView,
    iris: RagIris,
    config: MergeConfig,
    *,
    version: int = 1,
    judge: Judge | None = None,
    fact_judge: FactJudge | None = None,
) -> ChangeSet:
    """Merge ``candidate`` (typed instances + ontology from the schema step) into production.

    Reads production only through ``production`` (lookups by label and by IRI, the ontology),
    so its cost follows the candidate's size. ``version`` is the production version approving
    the change set makes (the cycle's base version + 1): new statements are recorded in it,
    ended ones and replaced descriptions invalidated in it. ``judge`` answers the entity pairs
    resolution cannot decide alone (none: they stay apart, flagged); ``fact_judge`` the
    statement pairs the ontology cannot decide (none: both stay, flagged).
    """
    candidate_ontology = ontology_part(candidate)
    production_ontology = production.ontology()
    alignment = align_ontology(candidate_ontology, production_ontology)
    ontology = rename(candidate_ontology, alignment.term_map)
    data = rename(candidate - candidate_ontology, alignment.term_map)
    merged_ontology = production_ontology + ontology
    data, resolved = _rewritten_data(data, production, iris, merged_ontology, config, judge)
    described = resolved.described
    unread = {s for s in data.subjects() if isinstance(s, URIRef)} - set(described.subjects())
    described += describe(production, unread, config)
    facts = merge_facts(data, production, merged_ontology, iris, version=version,
                        judge=fact_judge, config=config.facts, labels=described,
                        batch_size=config.lookup_batch_size)  # fmt: skip
    described += facts.production
    differ = ResourceDiffer(described, iris, version, config.supersede_descriptions)
    counts = _compare_all(data - facts.handled, described, differ)
    records, merge_counts = merge_records(
        resolved.resolution, resolved.profiles, resolved.mapping, iris
    )
    counts |= merge_counts
    counts["llm_pairs"] = resolved.resolution.llm_pairs
    counts["llm_calls"] = getattr(getattr(judge, "stats", None), "calls", 0)
    _fact_counts(counts, facts, fact_judge)
    add = differ.add + facts.add + records
    add += ontology_additions(ontology, production_ontology, alignment)
    add = _minimal(add, described, production, config)
    remove = differ.remove + facts.remove
    for graph in (add, remove):
        bind_prefixes(graph, iris)
    stats = _stats(counts, differ, alignment, add, remove)
    logger.info("change set: %s (%d entities merged)", stats, len(resolved.mapping))
    return ChangeSet(add, remove, stats)
