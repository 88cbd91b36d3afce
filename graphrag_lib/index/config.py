"""What the index step can be told: ``IndexConfig``, built by the host from its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from graphrag_lib.llm import LlmEndpoint

EmbeddingName = Literal["entity_description", "community_full_content", "text_unit_text"]
EncodingModel = Literal["cl100k_base", "o200k_base"]

DEFAULT_ENTITY_TYPES = ("organization", "person", "geo", "event")


class IndexConfig(BaseModel):
    """Settings of one GraphRAG indexing run; ``graphrag_lib.index.settings`` turns them into
    GraphRAG's own configuration."""

    endpoint: LlmEndpoint = Field(
        description="The OpenAI-compatible endpoint: chat model, embedding model, retries."
    )
    cache_dir: Path = Field(
        description="Root of GraphRAG's JSON LLM cache. Each model gets its own subdirectory, "
        "since GraphRAG's cache key ignores the model name; keep it across runs and cycles."
    )
    chunk_size: int = Field(1200, gt=0, description="Text unit size in tokens.")
    chunk_overlap: int = Field(100, ge=0, description="Tokens shared by neighbouring units.")
    encoding_model: EncodingModel = Field(
        "o200k_base",
        description="tiktoken encoding that counts tokens for chunking; both ship with "
        "tiktoken/litellm, so nothing is downloaded. o200k_base spends fewer tokens on "
        "Cyrillic text.",
    )
    entity_types: list[str] = Field(
        list(DEFAULT_ENTITY_TYPES),
        min_length=1,
        description="Entity types the extraction prompt asks for.",
    )
    language: str = Field(
        "English",
        pattern=r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$",
        description="Language the model writes descriptions, summaries and reports in "
        "(e.g. English, Russian); entity names stay as the text writes them.",
    )
    max_gleanings: int = Field(
        0,
        ge=0,
        description="Extra extraction rounds per text unit ('entities were missed'); each "
        "re-sends the whole conversation. GraphRAG's default is 1.",
    )
    summary_max_words: int = Field(
        300, gt=0, description="Word limit of a merged entity/relationship description."
    )
    summary_max_input_tokens: int = Field(
        4000, gt=0, description="Most description tokens sent in one summary request."
    )
    report_max_words: int = Field(1000, gt=0, description="Word limit of a community report.")
    report_max_input_tokens: int = Field(
        4000,
        gt=0,
        description="Most context tokens in one community report request; with the prompt "
        "and the answer this fits an 8k-token context window.",
    )
    max_cluster_size: int = Field(10, gt=1, description="Largest community (Leiden).")
    use_largest_component: bool = Field(
        False,
        description="Cluster only the largest connected component (GraphRAG's default); "
        "off, every related entity gets a community.",
    )
    concurrency: int = Field(4, gt=0, description="Model requests in flight at once.")
    metrics_store: str | None = Field(
        None,
        description="A ``graphrag_llm`` metrics store type the host registered "
        "(``graphrag_llm.metrics.register_metrics_store``); it receives each model call's "
        "metrics (duration, tokens, cache hits). None: GraphRAG keeps no metrics.",
    )
    embeddings: list[EmbeddingName] = Field(
        ["entity_description"],
        description="Embeddings to build in the local LanceDB store under the work dir; ferag "
        "uses entity description embeddings at most. Empty: no embedding requests.",
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Self:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size "
                f"({self.chunk_size})"
            )
        return self

    @classmethod
    def graphrag_defaults(cls, endpoint: LlmEndpoint, cache_dir: Path) -> IndexConfig:
        """The settings ``graphrag init`` writes, for comparison (see docs/benchmarks.md)."""
        return cls(
            endpoint=endpoint,
            cache_dir=cache_dir,
            max_gleanings=1,
            summary_max_words=500,
            report_max_words=2000,
            report_max_input_tokens=8000,
            use_largest_component=True,
            concurrency=25,
            embeddings=["entity_description", "community_full_content", "text_unit_text"],
        )
