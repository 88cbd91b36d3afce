"""``IndexConfig`` → GraphRAG 3.3.0's ``GraphRagConfig`` for one work directory.

Layout under ``work_dir``: ``output/`` (parquet tables, ``stats.json``, ``lancedb/``),
``logs/`` (GraphRAG's ``indexing-engine.log``), ``prompts/`` (the language-specific prompts)
and ``input/`` (empty: documents are handed over as a DataFrame). The LLM cache lives under
``cache_dir/<model>/<GraphRAG step>/``: GraphRAG's cache key is the request without the model
name, so each model gets a directory of its own.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from graphrag.config.enums import AsyncType
from graphrag.config.models.cluster_graph_config import ClusterGraphConfig
from graphrag.config.models.community_reports_config import CommunityReportsConfig
from graphrag.config.models.embed_text_config import EmbedTextConfig
from graphrag.config.models.extract_claims_config import ExtractClaimsConfig
from graphrag.config.models.extract_graph_config import ExtractGraphConfig
from graphrag.config.models.graph_rag_config import GraphRagConfig
from graphrag.config.models.reporting_config import ReportingConfig
from graphrag.config.models.summarize_descriptions_config import SummarizeDescriptionsConfig
from graphrag_cache import CacheConfig
from graphrag_chunking.chunking_config import ChunkingConfig
from graphrag_llm.config import MetricsConfig, ModelConfig, RetryConfig
from graphrag_llm.retry.exponential_retry import ExponentialRetry
from graphrag_llm.retry.retry_factory import register_retry, retry_factory
from graphrag_storage import StorageConfig
from graphrag_vectors import VectorStoreConfig

from graphrag_lib.index.config import IndexConfig
from graphrag_lib.index.prompts import PromptFiles, write_prompts
from graphrag_lib.llm import LlmEndpoint

CHAT_MODEL_ID = "default_completion_model"
EMBEDDING_MODEL_ID = "default_embedding_model"

# GraphRAG's standard pipeline without load_input_documents (documents come as a DataFrame)
# and without extract_covariates (claims stay off).
WORKFLOWS = (
    "create_base_text_units",
    "create_final_documents",
    "extract_graph",
    "finalize_graph",
    "create_communities",
    "create_final_text_units",
    "create_community_reports",
)
EMBEDDING_WORKFLOW = "generate_text_embeddings"

# GraphRAG's exponential back-off under a name of our own: GraphRAG's config validator refuses
# max_retries ≤ 1 and max_delay ≤ 1 s for its "exponential_backoff", which are sensible here
# (and which ExponentialRetry itself handles), and it validates no other retry type.
RETRY_TYPE = "ferag_exponential_backoff"
if RETRY_TYPE not in retry_factory:
    register_retry(RETRY_TYPE, ExponentialRetry)


def output_dir(work_dir: Path) -> Path:
    return work_dir / "output"


def workflows(config: IndexConfig) -> list[str]:
    """The workflows run for ``config``, in order."""
    return [*WORKFLOWS, *([EMBEDDING_WORKFLOW] if config.embeddings else [])]


def model_dir(model: str) -> str:
    """A directory name for a model: readable, and distinct for distinct names."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._") or "model"
    return f"{readable[:60]}-{hashlib.sha256(model.encode()).hexdigest()[:8]}"


def graphrag_config(config: IndexConfig, work_dir: Path) -> GraphRagConfig:
    """GraphRAG's configuration for indexing into ``work_dir`` with ``config``."""
    endpoint = config.endpoint
    return GraphRagConfig(
        completion_models={CHAT_MODEL_ID: _model(config, endpoint.chat_model)},
        embedding_models={EMBEDDING_MODEL_ID: _model(config, endpoint.embedding_model)},
        concurrent_requests=config.concurrency,
        async_mode=AsyncType.AsyncIO,
        chunking=ChunkingConfig(
            type="tokens",
            size=config.chunk_size,
            overlap=config.chunk_overlap,
            encoding_model=config.encoding_model,
        ),
        workflows=workflows(config),
        cluster_graph=ClusterGraphConfig(
            max_cluster_size=config.max_cluster_size, use_lcc=config.use_largest_component
        ),
        extract_claims=ExtractClaimsConfig(enabled=False, completion_model_id=CHAT_MODEL_ID),
        **_storage(config, work_dir.resolve()),
        **_llm_steps(config, write_prompts(work_dir.resolve() / "prompts", config.language)),
    )


def _storage(config: IndexConfig, work_dir: Path) -> dict[str, Any]:
    """Everything on disk: under ``work_dir``, except the cache, which outlives a run."""
    return {
        "input_storage": StorageConfig(base_dir=str(work_dir / "input")),
        "output_storage": StorageConfig(base_dir=str(output_dir(work_dir))),
        "update_output_storage": StorageConfig(base_dir=str(work_dir / "update_output")),
        "reporting": ReportingConfig(base_dir=str(work_dir / "logs")),
        "cache": CacheConfig(
            type="json", storage=StorageConfig(base_dir=str(config.cache_dir.resolve()))
        ),
        "vector_store": VectorStoreConfig(
            type="lancedb",
            db_uri=str(output_dir(work_dir) / "lancedb"),
            vector_size=config.endpoint.embedding_dim,
        ),
    }


def _llm_steps(config: IndexConfig, prompts: PromptFiles) -> dict[str, Any]:
    """The steps that call models; each caches under ``<model dir>/<step>``."""
    chat = model_dir(config.endpoint.chat_model)
    embedding = model_dir(config.endpoint.embedding_model)
    return {
        "extract_graph": ExtractGraphConfig(
            completion_model_id=CHAT_MODEL_ID,
            model_instance_name=f"{chat}/extract_graph",
            prompt=str(prompts.extract_graph),
            entity_types=list(config.entity_types),
            max_gleanings=config.max_gleanings,
        ),
        "summarize_descriptions": SummarizeDescriptionsConfig(
            completion_model_id=CHAT_MODEL_ID,
            model_instance_name=f"{chat}/summarize_descriptions",
            prompt=str(prompts.summarize_descriptions),
            max_length=config.summary_max_words,
            max_input_tokens=config.summary_max_input_tokens,
        ),
        "community_reports": CommunityReportsConfig(
            completion_model_id=CHAT_MODEL_ID,
            model_instance_name=f"{chat}/community_reporting",
            graph_prompt=str(prompts.community_report),
            max_length=config.report_max_words,
            max_input_length=config.report_max_input_tokens,
        ),
        "embed_text": EmbedTextConfig(
            embedding_model_id=EMBEDDING_MODEL_ID,
            model_instance_name=f"{embedding}/text_embedding",
            names=list(config.embeddings),
        ),
    }


def _model(config: IndexConfig, model: str) -> ModelConfig:
    endpoint = config.endpoint
    metrics = None
    if config.metrics_store is not None:  # the host's store; no writer: GraphRAG logs nothing
        metrics = MetricsConfig(store=config.metrics_store, writer=None)
    return ModelConfig(
        model_provider="openai",
        model=model,
        api_base=endpoint.base_url,
        api_key=endpoint.api_key.get_secret_value(),
        # GraphRAG retries; the OpenAI client inside litellm must not retry on its own too.
        call_args={"timeout": endpoint.request_timeout_s, "max_retries": 0},
        retry=_retry(endpoint),
        metrics=metrics,
    )


def _retry(endpoint: LlmEndpoint) -> RetryConfig | None:
    """Exponential back-off: ``max_retries`` retries, no wait above ``max_retry_wait_s``."""
    if endpoint.max_retries == 0:
        return None
    return RetryConfig(
        type=RETRY_TYPE, max_retries=endpoint.max_retries, max_delay=endpoint.max_retry_wait_s
    )
