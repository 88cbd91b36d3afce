"""Settings of entity resolution and the reviewers' decisions it honours."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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
