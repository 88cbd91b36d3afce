"""Settings and results of the merge step."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from rdflib import Graph

from graphrag_lib.resolution.config import ResolutionConfig, ResolutionDecision

__all__ = ["ChangeSet", "ChangeSetStats", "MergeConfig", "ResolutionConfig", "ResolutionDecision"]


class MergeConfig(BaseModel):
    """How ``compute_change_set`` talks to production and what it keeps."""

    lookup_batch_size: int = Field(
        500, ge=1, description="Labels or IRIs per production lookup (one SPARQL query each)."
    )
    supersede_descriptions: bool = Field(
        True,
        description="Replace an entity's description with the newer one (the old one is kept "
        "as a ferag:DescriptionRecord); if false, the production description stays.",
    )
    language: str = Field(
        "en", description="The RAG's language: a merged entity's name in it is preferred."
    )
    resolution: ResolutionConfig = Field(default_factory=ResolutionConfig)
    decisions: list[ResolutionDecision] = Field(
        default_factory=list, description="The RAG's remembered reviewer decisions."
    )


@dataclass(frozen=True)
class ChangeSetStats:
    """Counts for the review screen and the cycle's progress events."""

    entities_added: int = 0
    entities_changed: int = 0
    entities_unchanged: int = 0
    relations_added: int = 0
    relations_changed: int = 0
    relations_unchanged: int = 0
    aliases_added: int = 0
    descriptions_superseded: int = 0
    ontology_terms_added: int = 0
    ontology_terms_reused: int = 0
    triples_added: int = 0
    triples_removed: int = 0
    merges_production: int = 0
    merges_cycle: int = 0
    merges_flagged: int = 0
    llm_pairs: int = 0
    llm_calls: int = 0


@dataclass(frozen=True)
class ChangeSet:
    """What approval does to production: delete ``remove``, then insert ``add``.

    ``add`` holds no triple production already has; ``remove`` only triples it has.
    """

    add: Graph
    remove: Graph
    stats: ChangeSetStats


def apply_change_set(graph: Graph, change_set: ChangeSet) -> None:
    """Apply ``change_set`` to an in-memory production graph (tests, the CLI)."""
    for triple in change_set.remove:
        graph.remove(triple)
    for triple in change_set.add:
        graph.add(triple)
