"""Entity resolution: a candidate entity takes the IRI of the production entity it names.

Candidates are looked up by their normalised labels and aliases; a production entity matches if
its classes are compatible (either side untyped, or one class a subclass of the other). The
candidate's own IRI is preferred, then a production entity whose label (not alias) matches. A
candidate whose IRI is taken by an entity of an incompatible class gets a key qualified by its
class, so both stay separate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graphrag_lib.merge.config import MergeConfig
from graphrag_lib.merge.view import ProductionView
from graphrag_lib.schema.terms import local_name
from graphrag_lib.vocab import FERAG, RagIris, entity_key, normalise_label

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def describe(production: ProductionView, iris: Iterable[URIRef], config: MergeConfig) -> Graph:
    """``production.describe`` in batches of ``lookup_batch_size`` IRIs."""
    described = Graph()
    for batch in chunks(sorted(set(iris)), config.lookup_batch_size):
        described += production.describe(batch)
    return described


def entity_labels(graph: Graph, entity: URIRef) -> list[str]:
    """Normalised label first, then normalised aliases."""
    names = [*graph.objects(entity, RDFS.label), *graph.objects(entity, SKOS.altLabel)]
    return list(dict.fromkeys(normalise_label(str(name)) for name in names))


def classes_of(graph: Graph, entity: URIRef, classes: Iterable[URIRef]) -> set[URIRef]:
    return {c for c in classes if (entity, RDF.type, c) in graph}


def compatible(a: set[URIRef], b: set[URIRef], ancestors: Mapping[URIRef, set[URIRef]]) -> bool:
    if not a or not b:
        return True
    return any(x in ancestors.get(y, {y}) or y in ancestors.get(x, {x}) for x in a for y in b)


def _lookup(
    labels: Iterable[str], production: ProductionView, config: MergeConfig
) -> dict[str, set[URIRef]]:
    found: dict[str, set[URIRef]] = {}
    for batch in chunks(sorted(set(labels)), config.lookup_batch_size):
        found.update(production.find_entities(batch))
    return found


def _ranked(
    entity: URIRef, labels: Sequence[str], found: Mapping[str, set[URIRef]], described: Graph
) -> list[URIRef]:
    options = {x for label in labels for x in found.get(label, ())}

    def rank(x: URIRef) -> tuple[bool, bool, str]:
        return x != entity, labels[0] not in entity_labels(described, x)[:1], str(x)

    return sorted(options, key=rank)


def resolve_entities(
    candidate: Graph,
    production: ProductionView,
    iris: RagIris,
    ancestors: Mapping[URIRef, set[URIRef]],
    config: MergeConfig,
) -> tuple[dict[URIRef, URIRef], Graph]:
    """Candidate entity → production (or re-minted) IRI where it differs, and the production
    triples of every entity considered."""
    entities = sorted(
        e for e in candidate.subjects(RDF.type, FERAG.Entity) if isinstance(e, URIRef)
    )
    labels = {e: entity_labels(candidate, e) for e in entities}
    found = _lookup((label for names in labels.values() for label in names), production, config)
    described = describe(production, (x for xs in found.values() for x in xs), config)
    classes = set(ancestors)
    mapping: dict[URIRef, URIRef] = {}
    for entity in entities:
        if not labels[entity]:
            continue
        own = classes_of(candidate, entity, classes)
        options = _ranked(entity, labels[entity], found, described)
        match = next(
            (x for x in options if compatible(own, classes_of(described, x, classes), ancestors)),
            None,
        )
        if match is not None and match != entity:
            mapping[entity] = match
        elif match is None and entity in options:  # same key, incompatible class
            qualifier = local_name(min(own)) if own else "entity"
            mapping[entity] = iris.entity(entity_key(labels[entity][0], qualifier))
    return mapping, described
