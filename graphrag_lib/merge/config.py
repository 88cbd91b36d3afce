"""Settings and results of the merge step."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from rdflib import Graph

from graphrag_lib.resolution.config import ResolutionConfig, ResolutionDecision
from graphrag_lib.temporal.supersede import FactConfig

__all__ = [
    "ChangeSet", "ChangeSetStats", "FactConfig", "MergeConfig", "ResolutionConfig",
    "ResolutionDecision",
]  # fmt: skip


class MergeConfig(BaseModel):
    """How ``compute_change_set`` talks to production and what it keeps."""

    lookup_batch_size: int = Field(
        500, ge=1, description="Labels or IRIs per production lookup (one SPARQL query each)."
    )
    supersede_descriptions: bool = Field(
        True,
        description="Merge an entity's description with the candidate's new sentences (the "
        "old text is kept as a ferag:DescriptionRecord); if false, the production text stays.",
    )
    language: str = Field(
        "en", description="The RAG's language: a merged entity's name in it is preferred."
    )
    resolution: ResolutionConfig = Field(default_factory=ResolutionConfig)
    facts: FactConfig = Field(default_factory=FactConfig)
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
    descriptions_merged: int = 0  # entity descriptions that gained sentences (old text recorded)
    ontology_terms_added: int = 0
    ontology_terms_reused: int = 0
    triples_added: int = 0
    triples_removed: int = 0
    merges_production: int = 0
    merges_cycle: int = 0
    merges_flagged: int = 0
    llm_pairs: int = 0
    llm_calls: int = 0  # requests to the model by both judges (cached answers not counted)
    facts_superseded: int = 0  # statements replaced by a contradicting one (or added as history)
    facts_ended: int = 0  # statements a newer document says ended
    facts_flagged: int = 0  # statements a newer one may have ended (the judge was unsure)
    fact_llm_pairs: int = 0  # statement pairs the fact judge answered


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
