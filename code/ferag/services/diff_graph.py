"""The changed neighbourhood of one entity, for the review's graph view: the relations of a
cycle's change set (sections ``relations_added`` and ``relations_changed``) that touch the
entity, with the labels of their ends. Read by ``ferag.store.change_sets`` for that entity
only, so its cost follows the neighbourhood, not the change set."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS

from ferag.db.models import Cycle
from ferag.errors import InvalidInput
from ferag.services.diff import require_change_set
from ferag.services.diff_items import Facts, compact, end_ref
from ferag.services.diff_models import EntityRef
from ferag.store.change_sets import ChangeSetGraphs, relations_touching
from ferag.store.client import TripleStore, store_errors
from ferag.store.space import RagSpace
from graphrag_lib.merge.production_merge import is_entity_iri
from graphrag_lib.vocab import RagIris

MAX_RELATIONS = 60
"""Relations drawn around one entity (a radial view stays readable up to about this many)."""


class GraphEdge(BaseModel):
    iri: str
    change: Literal["added", "changed"]
    subject: EntityRef
    predicate: str = Field(description="Compact IRI of the property, e.g. `ont:worksFor`.")
    object: EntityRef
    description: str | None


class Neighbourhood(BaseModel):
    entity: EntityRef
    edges: list[GraphEdge]
    truncated: bool = Field(description="More relations touch the entity than are drawn.")


def neighbourhood(
    store: TripleStore, iris: RagIris, cycle: Cycle, entity: str, limit: int = MAX_RELATIONS
) -> Neighbourhood:
    """The change set's relations around ``entity`` (an entity IRI of the RAG), at most
    ``limit``; ``InvalidInput`` for anything else."""
    if not is_entity_iri(iris, entity):
        raise InvalidInput(f"{entity!r} is not an entity IRI of this RAG", code="not_an_entity")
    require_change_set(cycle)
    space = RagSpace(store, cycle.rag_id, iris)
    graphs = ChangeSetGraphs.of(space, cycle.id)
    center = URIRef(entity)
    with store_errors("read the change set"):
        found = relations_touching(space, graphs, center, limit + 1)
        shown = found[:limit]
        facts = Facts(space, graphs)
        facts.load([s for s, _ in shown])
        facts.load_sources(set(), [s for s, _ in shown])
        facts.load([center], (RDFS.label,))
    edges = [_edge(facts, s, change, iris) for s, change in shown]
    label = facts.text(center, RDFS.label)
    return Neighbourhood(
        entity=EntityRef(iri=entity, label=label), edges=edges, truncated=len(found) > limit
    )


def _edge(facts: Facts, s: URIRef, change: str, iris: RagIris) -> GraphEdge:
    predicate = facts.first(s, RDF.predicate)
    newest = ("add",) if change == "added" else ("add", "prod")
    return GraphEdge(
        iri=str(s),
        change="added" if change == "added" else "changed",
        subject=end_ref(facts, s, RDF.subject),
        predicate=compact(predicate, iris) if predicate is not None else "",
        object=end_ref(facts, s, RDF.object),
        description=facts.text(s, DCTERMS.description, newest),
    )
