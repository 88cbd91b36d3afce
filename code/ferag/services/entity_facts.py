"""One entity of production with its current facts and the passages they were read from: what a
tool shows when it is asked about one entity rather than a question.

It reads through the chat retrieval's own readers (``graphrag_lib.retrieve.gather``): the entity's
label, classes and description, its current relation statements (ended ones are left out), and
the passages most shared by the entity and those statements, with their documents. Aliases come
from the same reader the entity index uses. Every read is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from ferag.services.entity_index import read_entities as read_indexed
from ferag.services.entity_index import store_runner
from ferag.store.client import store_errors
from ferag.store.space import RagSpace
from graphrag_lib.retrieve.gather import (
    EntityInfo,
    PassageCandidate,
    RelationCandidate,
    read_entities,
    read_passages,
    read_relations,
)

# A hub entity has thousands of statements: sample this many, keep the heaviest ``facts``.
SAMPLED_PER_ENTITY = 500


@dataclass(frozen=True)
class EntityFacts:
    entity: EntityInfo
    aliases: tuple[str, ...]
    facts: list[RelationCandidate]
    sources: list[PassageCandidate]


def read_entity_facts(space: RagSpace, iri: str, facts: int, sources: int) -> EntityFacts | None:
    """Production's entity ``iri`` with at most ``facts`` current statements (heaviest first)
    and ``sources`` passages; None when production has no such entity. ``iri`` must be an IRI
    of the RAG (``space.iris``): the caller checks it, the query builders escape it."""
    run, graph = store_runner(space), space.prod
    with store_errors("read the entity from production", consequence=None):
        found = read_entities(run, graph, [iri]).get(iri)
        if found is None:
            return None
        indexed = read_indexed(run, graph, [iri])
        statements = read_relations(run, graph, [iri], SAMPLED_PER_ENTITY, facts, hop=1)
        passages = read_passages(run, graph, [iri, *(s.iri for s in statements)], sources)
    aliases = indexed[0].aliases if indexed else ()
    return EntityFacts(found, aliases, statements, passages)
