"""Settings and results of the merge step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field
from rdflib import Graph


class ResolutionDecision(BaseModel):
    """A reviewer's verdict on two entity IRIs, remembered per RAG: ``different`` keeps them
    apart in every later cycle, ``same`` merges them (``a`` survives when both exist)."""

    a: str
    b: str
    verdict: Literal["same", "different"]
    reason: str = ""


class ResolutionConfig(BaseModel):
    """Thresholds of entity resolution (see ``docs/merge.md``)."""

    auto_merge_score: float = Field(
        0.85,
        ge=0,
        le=1,
        description="A candidate pair scoring at least this merges without asking.",
    )
    ask_score: float = Field(
        0.55, ge=0, le=1, description="Pairs scoring from this up to the merge score go to the LLM."
    )
    flag_score: float = Field(
        0.45, ge=0, le=1, description="Pairs kept apart but scoring at least this are flagged."
    )
    llm_batch_size: int = Field(12, ge=1, description="Candidate pairs per LLM request.")
    max_llm_pairs: int = Field(
        240,
        ge=0,
        description="At most this many pairs per cycle go to the LLM; the rest are flagged.",
    )
    max_candidates: int = Field(
        8, ge=1, description="Candidates kept per entity (best scores first)."
    )


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
