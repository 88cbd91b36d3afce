"""What the model is shown: entity types and relation examples, sampled and batched.

Relations are grouped by (subject type, object type); each pair keeps at most
``max_examples_per_pair`` descriptions (heaviest first) and a prompt holds at most
``max_pairs_per_batch`` pairs, so prompts stay bounded however large the graph grows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from graphrag_lib.schema.config import SchemaConfig
from graphrag_lib.vocab import FERAG, RagIris

TypePair = tuple[URIRef, URIRef]


@dataclass(frozen=True)
class TypeSample:
    iri: URIRef  # the provisional class, ``…/ontology#Person``
    count: int
    examples: tuple[str, ...]  # entity labels


@dataclass(frozen=True)
class PairSample:
    subject_type: URIRef
    object_type: URIRef
    count: int
    examples: tuple[str, ...]  # relation descriptions


@dataclass(frozen=True)
class SchemaBatch:
    """One prompt's worth: the types it must cover and the relations it shows."""

    types: tuple[TypeSample, ...]
    pairs: tuple[PairSample, ...]


def entity_types(graph: Graph, iris: RagIris) -> dict[URIRef, list[URIRef]]:
    """Entity → its classes in the RAG's ontology namespace, sorted."""
    return {
        entity: sorted(
            t
            for t in graph.objects(entity, RDF.type)
            if isinstance(t, URIRef) and iris.local_name(t)
        )
        for entity in graph.subjects(RDF.type, FERAG.Entity)
        if isinstance(entity, URIRef)
    }


def _type_samples(
    graph: Graph, types_of: dict[URIRef, list[URIRef]], limit: int
) -> dict[URIRef, TypeSample]:
    counts: Counter[URIRef] = Counter(t for types in types_of.values() for t in types)
    labels: dict[URIRef, list[str]] = defaultdict(list)
    for entity in sorted(types_of):
        for t in types_of[entity]:
            if len(labels[t]) < limit and (label := graph.value(entity, RDFS.label)) is not None:
                labels[t].append(str(label))
    return {t: TypeSample(t, counts[t], tuple(labels[t])) for t in sorted(counts)}


def _pair_samples(
    graph: Graph, types_of: dict[URIRef, list[URIRef]], config: SchemaConfig
) -> list[PairSample]:
    found: dict[TypePair, list[tuple[float, str]]] = defaultdict(list)
    for statement in graph.subjects(RDF.type, FERAG.Relation):
        subject, obj = graph.value(statement, RDF.subject), graph.value(statement, RDF.object)
        description = str(graph.value(statement, DCTERMS.description) or "")
        weight = graph.value(statement, FERAG.weight)
        score = float(weight.toPython()) if isinstance(weight, Literal) else 0.0
        for s_type in types_of.get(subject, []) if isinstance(subject, URIRef) else []:
            for o_type in types_of.get(obj, []) if isinstance(obj, URIRef) else []:
                found[(s_type, o_type)].append((-score, description))
    pairs = []
    for (s_type, o_type), items in found.items():
        texts = dict.fromkeys(_cut(d, config.max_description_chars) for _, d in sorted(items) if d)
        examples = tuple(texts)[: config.max_examples_per_pair]
        pairs.append(PairSample(s_type, o_type, len(items), examples))
    return sorted(pairs, key=lambda p: (-p.count, p.subject_type, p.object_type))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plan_batches(graph: Graph, iris: RagIris, config: SchemaConfig) -> list[SchemaBatch]:
    """Batches covering every entity type and every (subject type, object type) pair."""
    types_of = entity_types(graph, iris)
    samples = _type_samples(graph, types_of, config.max_example_labels)
    pairs = _pair_samples(graph, types_of, config)
    batches = []
    for start in range(0, len(pairs), config.max_pairs_per_batch):
        chunk = tuple(pairs[start : start + config.max_pairs_per_batch])
        used = sorted({t for p in chunk for t in (p.subject_type, p.object_type)})
        batches.append(SchemaBatch(tuple(samples[t] for t in used), chunk))
    covered = {t.iri for batch in batches for t in batch.types}
    rest = [samples[t] for t in samples if t not in covered]
    for start in range(0, len(rest), config.max_types_per_batch):
        batches.append(SchemaBatch(tuple(rest[start : start + config.max_types_per_batch]), ()))
    return batches
