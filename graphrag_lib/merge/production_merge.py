"""A reviewer's merge of entities already in production: the change set that folds the
absorbed entities into the survivor.

Every triple of an absorbed entity (subject) and at it (object) moves to the survivor; relation
statement nodes are re-keyed from their new ends (and combined with a statement the survivor
already has); the absorbed labels and aliases become the survivor's ``skos:altLabel`` (with
``ferag:normalisedLabel``); the survivor keeps its own description (an absorbed one only when it
has none); a relation that joined the merged entities to each other is dropped, as ``to_rdf``
drops one whose ends are one entity. One ``ferag:Merge`` record per absorbed IRI (decidedBy
``reviewer``, scope ``production``) says what happened.

The change set is exact for the production it was computed on: it is the difference between the
production triples it touches (read through ``ResourceReader.describe`` and ``referencing``) and
what they become, so approving it and rolling it back are both exact. Merge records of earlier
merges keep naming the IRIs they named (they are history). Imports nothing from the service.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from graphrag_lib.merge.config import ChangeSet, ChangeSetStats
from graphrag_lib.merge.rewrite import combine_duplicates, rekey_statements
from graphrag_lib.merge.view import ResourceReader
from graphrag_lib.vocab import FERAG, RagIris, bind_prefixes, hash_key, normalise_label

# Links that name an entity as history, not as the thing itself: never moved to the survivor.
_HISTORY = frozenset({FERAG.survivor, FERAG.absorbed})
# What an absorbed entity's own triples do not bring along: its key (the survivor has one) and
# its labels (they become aliases); its description only when the survivor has one.
_NOT_MOVED = frozenset({FERAG.key, RDFS.label, DCTERMS.description})
_ENDS = (RDF.subject, RDF.object)


class ProductionMergeError(ValueError):
    """The merge asked for cannot be made (an IRI that is not a production entity, …)."""


@dataclass(frozen=True)
class ProductionMerge:
    """What a reviewer asked: ``absorbed`` entities folded into ``survivor``."""

    survivor: URIRef
    absorbed: tuple[URIRef, ...]
    reason: str = ""


def is_entity_iri(iris: RagIris, iri: str) -> bool:
    """Whether ``iri`` is an entity IRI this RAG could mint (its key IRI-safe)."""
    key = iris.key_of(URIRef(iri), "entity")
    if not key:
        return False
    try:
        return str(iris.entity(key)) == iri
    except ValueError:
        return False


def merge_record_iri(iris: RagIris, survivor: URIRef, absorbed: URIRef) -> URIRef:
    """``RagIris.merge_record(hash_key(survivor, absorbed))``, the contract's record IRI."""
    return iris.merge_record(hash_key(str(survivor), str(absorbed)))


def _check_iris(merge: ProductionMerge, iris: RagIris) -> None:
    if not merge.absorbed:
        raise ProductionMergeError("name at least one entity to merge into the survivor")
    named = (merge.survivor, *merge.absorbed)
    if len(set(named)) != len(named):
        raise ProductionMergeError("the survivor and the absorbed entities must all differ")
    for iri in named:
        if not is_entity_iri(iris, str(iri)):
            raise ProductionMergeError(f"{iri} is not an entity IRI of this RAG")


def _check_entities(merge: ProductionMerge, entities: Graph) -> None:
    for iri in (merge.survivor, *merge.absorbed):
        if (iri, RDF.type, FERAG.Entity) not in entities:
            raise ProductionMergeError(f"{iri} is not an entity in production")


def _statements_at(graph: Graph, entities: Iterable[URIRef]) -> set[URIRef]:
    return {
        s
        for entity in entities
        for end in _ENDS
        for s in graph.subjects(end, entity)
        if isinstance(s, URIRef)
    }


def _touched(production: ResourceReader, iris: Sequence[URIRef]) -> Graph:
    return production.describe(iris) + production.referencing(iris)


def _moved(triple: tuple[Node, Node, Node], merge: ProductionMerge) -> Graph:
    """What one production triple becomes after the merge (nothing, itself, or moved)."""
    s, p, o = triple
    absorbed, survivor = set(merge.absorbed), merge.survivor
    out = Graph()
    if s in absorbed:
        if p == RDFS.label or p == SKOS.altLabel:
            out.add((survivor, SKOS.altLabel, o))
            out.add((survivor, FERAG.normalisedLabel, Literal(normalise_label(str(o)))))
        elif p not in _NOT_MOVED:
            out.add((survivor, p, survivor if o in absorbed else o))
        return out
    if o in absorbed and p not in _HISTORY:
        out.add((s, p, survivor))
        return out
    out.add(triple)
    return out


def _description(before: Graph, merge: ProductionMerge) -> Graph:
    """The survivor's description, or the first absorbed one's when it has none."""
    kept = Graph()
    if before.value(merge.survivor, DCTERMS.description) is not None:
        return kept
    for entity in merge.absorbed:
        if (value := before.value(entity, DCTERMS.description)) is not None:
            kept.add((merge.survivor, DCTERMS.description, value))
            return kept
    return kept


def _drop_self_relations(graph: Graph, merge: ProductionMerge, before: Graph) -> None:
    """Remove relations the merge turned into loops on the survivor (statement and triple)."""
    survivor = merge.survivor
    for statement in list(graph.subjects(RDF.subject, survivor)):
        was_loop = {before.value(statement, end) for end in _ENDS} == {survivor}
        if (statement, RDF.object, survivor) not in graph or was_loop:
            continue
        predicate = graph.value(statement, RDF.predicate)
        for triple in list(graph.triples((statement, None, None))):
            graph.remove(triple)
        loop = (survivor, predicate, survivor)
        if isinstance(predicate, URIRef) and loop not in before:
            graph.remove(loop)


def _record(merge: ProductionMerge, absorbed: URIRef, before: Graph, iris: RagIris) -> Graph:
    record = merge_record_iri(iris, merge.survivor, absorbed)
    names = [*before.objects(absorbed, RDFS.label), *before.objects(absorbed, SKOS.altLabel)]
    graph = Graph()
    graph.add((record, RDF.type, FERAG.Merge))
    graph.add((record, FERAG.mergeStatus, Literal("merged")))
    graph.add((record, FERAG.mergeScope, Literal("production")))
    graph.add((record, FERAG.survivor, merge.survivor))
    graph.add((record, FERAG.absorbed, absorbed))
    for name in names:
        graph.add((record, FERAG.absorbedLabel, name))
    graph.add((record, FERAG.score, Literal("1.0", datatype=XSD.decimal)))
    evidence = json.dumps({"reviewer": 1.0})
    graph.add((record, FERAG.evidence, Literal(evidence, datatype=RDF.JSON)))
    graph.add((record, FERAG.decidedBy, Literal("reviewer")))
    graph.add((record, FERAG.reason, Literal(merge.reason)))
    for passage in before.objects(absorbed, PROV.wasDerivedFrom):
        graph.add((record, PROV.wasDerivedFrom, passage))
    return graph


def _after(before: Graph, merge: ProductionMerge, iris: RagIris) -> Graph:
    after = Graph()
    for triple in before:
        after += _moved(triple, merge)
    after += _description(before, merge)
    _drop_self_relations(after, merge, before)
    after = rekey_statements(after, iris)
    combine_duplicates(after)
    for absorbed in merge.absorbed:
        after += _record(merge, absorbed, before, iris)
    return after


def _stats(add: Graph, remove: Graph, merge: ProductionMerge) -> ChangeSetStats:
    relations = set(add.subjects(RDF.type, FERAG.Relation))
    return ChangeSetStats(
        entities_changed=1,
        relations_added=len(relations),
        aliases_added=len(set(add.triples((merge.survivor, SKOS.altLabel, None)))),
        triples_added=len(add),
        triples_removed=len(remove),
    )


def merge_production_entities(
    production: ResourceReader, iris: RagIris, merge: ProductionMerge
) -> ChangeSet:
    """The change set that merges ``merge.absorbed`` into ``merge.survivor`` in production.

    Raises ``ProductionMergeError`` unless every IRI is a distinct entity of production. Reads
    only the merged entities, what points at them and their relation statements, so the cost
    follows their size, not production's.
    """
    _check_iris(merge, iris)
    before = _touched(production, (merge.survivor, *merge.absorbed))
    _check_entities(merge, before)
    old_statements = _statements_at(before, merge.absorbed)
    before += _touched(production, sorted(old_statements))
    # Where the moved statements land, and the records: read too, so the difference is exact.
    landing = _statements_at(_after(before, merge, iris), [merge.survivor]) - old_statements
    records = [merge_record_iri(iris, merge.survivor, a) for a in merge.absorbed]
    before += _touched(production, sorted({*landing, *records}))
    after = _after(before, merge, iris)
    add, remove = after - before, before - after
    for graph in (add, remove):
        bind_prefixes(graph, iris)
    return ChangeSet(add, remove, _stats(add, remove, merge))
