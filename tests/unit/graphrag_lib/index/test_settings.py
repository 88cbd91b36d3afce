"""IndexConfig → GraphRAG 3.3.0's GraphRagConfig: the settings ferag generates."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphrag.config.defaults import graphrag_config_defaults as defaults
from graphrag_llm.retry.exponential_retry import ExponentialRetry
from graphrag_llm.retry.retry_factory import create_retry
from pydantic import ValidationError

from graphrag_lib.index import IndexConfig
from graphrag_lib.index.settings import graphrag_config, model_dir
from graphrag_lib.llm import LlmEndpoint


def _endpoint(**overrides: object) -> LlmEndpoint:
    values: dict[str, object] = {
        "base_url": "http://127.0.0.1:1234/v1",
        "chat_model": "qwen/qwen3-8b",
        "embedding_model": "text-embedding-nomic-embed-text-v1.5",
        "embedding_dim": 768,
        "max_retries": 2,
        "max_retry_wait_s": 2,
        "request_timeout_s": 120,
    }
    return LlmEndpoint.model_validate({**values, **overrides})


def _config(tmp_path: Path, **overrides: object) -> IndexConfig:
    return IndexConfig.model_validate(
        {"endpoint": _endpoint(), "cache_dir": tmp_path / "cache", **overrides}
    )


def test_models_point_at_the_endpoint_with_its_retries(tmp_path: Path) -> None:
    settings = graphrag_config(_config(tmp_path), tmp_path / "work")
    chat = settings.completion_models[settings.extract_graph.completion_model_id]
    embedding = settings.embedding_models[settings.embed_text.embedding_model_id]

    assert (chat.model_provider, chat.model, chat.api_base) == (
        "openai",
        "qwen/qwen3-8b",
        "http://127.0.0.1:1234/v1",
    )
    assert embedding.model == "text-embedding-nomic-embed-text-v1.5"
    assert chat.call_args == {"timeout": 120, "max_retries": 0}
    assert chat.retry is not None
    assert (chat.retry.max_retries, chat.retry.max_delay) == (2, 2)


@pytest.mark.parametrize("retries", [1, 3])
def test_any_retry_count_builds_graphrags_backoff(tmp_path: Path, retries: int) -> None:
    config = _config(tmp_path, endpoint=_endpoint(max_retries=retries, max_retry_wait_s=0.5))
    retry = (
        graphrag_config(config, tmp_path / "work")
        .completion_models["default_completion_model"]
        .retry
    )

    assert retry is not None
    built = create_retry(retry)
    assert isinstance(built, ExponentialRetry)
    assert (built._max_retries, built._max_delay) == (retries, 0.5)


def test_no_retries_means_no_retrier(tmp_path: Path) -> None:
    config = _config(tmp_path, endpoint=_endpoint(max_retries=0))

    assert (
        graphrag_config(config, tmp_path / "work")
        .completion_models["default_completion_model"]
        .retry
        is None
    )


def test_each_model_caches_in_its_own_directory(tmp_path: Path) -> None:
    settings = graphrag_config(_config(tmp_path), tmp_path / "work")
    chat, embedding = model_dir("qwen/qwen3-8b"), model_dir("text-embedding-nomic-embed-text-v1.5")

    assert settings.cache.type == "json"
    assert settings.cache.storage is not None
    assert settings.cache.storage.base_dir == str((tmp_path / "cache").resolve())
    assert settings.extract_graph.model_instance_name == f"{chat}/extract_graph"
    assert settings.summarize_descriptions.model_instance_name == f"{chat}/summarize_descriptions"
    assert settings.community_reports.model_instance_name == f"{chat}/community_reporting"
    assert settings.embed_text.model_instance_name == f"{embedding}/text_embedding"


def test_model_directories_are_readable_and_distinct() -> None:
    assert model_dir("qwen/qwen3-8b").startswith("qwen_qwen3-8b-")
    assert model_dir("a/b") != model_dir("a_b")
    assert model_dir("../..").startswith("model-")


def test_outputs_and_vectors_stay_under_the_work_dir(tmp_path: Path) -> None:
    work = tmp_path / "work"
    settings = graphrag_config(_config(tmp_path), work)

    assert settings.output_storage.base_dir == str(work.resolve() / "output")
    assert settings.reporting.base_dir == str(work.resolve() / "logs")
    assert settings.vector_store.type == "lancedb"
    assert settings.vector_store.db_uri == str(work.resolve() / "output" / "lancedb")
    assert settings.vector_store.vector_size == 768
    assert settings.vector_store.index_schema["entity_description"].vector_size == 768


def test_the_pipeline_is_standard_without_claims(tmp_path: Path) -> None:
    settings = graphrag_config(_config(tmp_path), tmp_path / "work")

    assert settings.workflows == [
        "create_base_text_units",
        "create_final_documents",
        "extract_graph",
        "finalize_graph",
        "create_communities",
        "create_final_text_units",
        "create_community_reports",
        "generate_text_embeddings",
    ]
    assert settings.embed_text.names == ["entity_description"]
    assert not settings.extract_claims.enabled


def test_without_embeddings_the_embedding_workflow_is_left_out(tmp_path: Path) -> None:
    settings = graphrag_config(_config(tmp_path, embeddings=[]), tmp_path / "work")

    assert settings.workflows is not None
    assert "generate_text_embeddings" not in settings.workflows


def test_extraction_and_chunking_follow_the_config(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        chunk_size=600,
        chunk_overlap=50,
        encoding_model="cl100k_base",
        entity_types=["company", "person"],
        max_gleanings=2,
        language="Russian",
    )
    settings = graphrag_config(config, tmp_path / "work")

    assert (settings.chunking.size, settings.chunking.overlap) == (600, 50)
    assert settings.chunking.encoding_model == "cl100k_base"
    assert settings.extract_graph.entity_types == ["company", "person"]
    assert settings.extract_graph.max_gleanings == 2
    prompts = settings.extract_graph.resolved_prompts()
    assert "Return output in Russian" in prompts.extraction_prompt
    assert (
        "Write the report in Russian." in settings.community_reports.resolved_prompts().graph_prompt
    )
    summary = settings.summarize_descriptions.resolved_prompts().summarize_prompt
    assert "Write the description in Russian." in summary


@pytest.mark.parametrize(
    "overrides",
    [
        {"chunk_overlap": 1200},
        {"encoding_model": "gpt2"},
        {"language": "Eng{lish}"},
        {"entity_types": []},
        {"embeddings": ["claims"]},
    ],
)
def test_invalid_settings_are_refused(tmp_path: Path, overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _config(tmp_path, **overrides)


def test_graphrag_defaults_are_what_graphrag_init_writes(tmp_path: Path) -> None:
    config = IndexConfig.graphrag_defaults(_endpoint(), tmp_path)

    assert (config.chunk_size, config.chunk_overlap) == (
        defaults.chunking.size,
        defaults.chunking.overlap,
    )
    assert config.encoding_model == defaults.chunking.encoding_model
    assert config.entity_types == defaults.extract_graph.entity_types
    assert config.max_gleanings == defaults.extract_graph.max_gleanings
    assert config.summary_max_words == defaults.summarize_descriptions.max_length
    assert config.summary_max_input_tokens == defaults.summarize_descriptions.max_input_tokens
    assert config.report_max_words == defaults.community_reports.max_length
    assert config.report_max_input_tokens == defaults.community_reports.max_input_length
    assert config.max_cluster_size == defaults.cluster_graph.max_cluster_size
    assert config.use_largest_component == defaults.cluster_graph.use_lcc
    assert config.concurrency == defaults.concurrent_requests
    assert sorted(config.embeddings) == sorted(defaults.embed_text.names)
