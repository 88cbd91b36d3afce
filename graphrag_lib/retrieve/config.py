"""Configuration of context retrieval (built from the service's Settings by ``code/``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graphrag_lib.retrieve.facts import DEFAULT_CHARS_PER_TOKEN


class RetrievalConfig(BaseModel):
    """Bounds of the context assembled for one question."""

    context_tokens: int = Field(
        3000, gt=0, description="Token budget of the whole context (facts and sources)."
    )
    chars_per_token: float = Field(
        DEFAULT_CHARS_PER_TOKEN, gt=0, description="Characters per token of the estimate."
    )
    relations_per_entity: int = Field(
        200,
        gt=0,
        description="Most relation statements of one entity weighed (a hub's are sampled).",
    )
    neighbour_rows: int = Field(
        60, gt=0, description="Heaviest relation statements read around the linked entities."
    )
    second_hop_seeds: int = Field(
        5, ge=0, description="Best first-hop neighbours whose own relations are read (hop 2)."
    )
    second_hop_rows: int = Field(30, ge=0, description="Heaviest relation statements at hop 2.")
    max_relations: int = Field(30, gt=0, description="Most relations put in the context.")
    passage_candidates: int = Field(
        30, gt=0, description="Passages read (the most shared by the facts) before ranking."
    )
    max_passages: int = Field(6, gt=0, description="Most passages quoted in the context.")
    max_cited_only: int = Field(
        6, ge=0, description="Most further passages listed for citation without their text."
    )
    passage_tokens: int = Field(250, gt=0, description="Longest excerpt of one passage.")
    description_tokens: int = Field(120, gt=0, description="Longest entity description.")
    max_reports: int = Field(3, ge=0, description="Most community reports (broad questions).")
    report_tokens: int = Field(200, gt=0, description="Longest community report summary.")
    shares: dict[str, float] = Field(
        default_factory=lambda: {
            "entities": 0.2,
            "relations": 0.25,
            "passages": 0.4,
            "reports": 0.15,
        },
        description="Share of the budget per section; a section's unused share passes on.",
    )
