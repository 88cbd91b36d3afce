"""Stage configs from the deployment's settings and a RAG's choices."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from pydantic import SecretStr

from ferag.cycle.configs import RagChoices, detect_language, stage_configs
from ferag.settings import IndexEmbedding, Settings, SettingsError, load_settings
from graphrag_lib.index import IndexConfig
from graphrag_lib.index.config import EmbeddingName
from graphrag_lib.llm import LlmEndpoint
from graphrag_lib.merge import MergeConfig
from graphrag_lib.schema import SchemaConfig

ENDPOINT = LlmEndpoint(
    base_url="http://127.0.0.1:9/v1",
    api_key=SecretStr("x"),
    chat_model="chat",
    embedding_model="embed",
    embedding_dim=8,
)
RUSSIAN = "Елена Кузнецова работает в Кама Банке в Казани. Kama Bank — региональный банк."
ENGLISH = "Elena Kuznetsova works at Kama Bank in Kazan. Банк «Кама» is regional."


def test_with_nothing_set_english_documents_get_the_library_defaults() -> None:
    configs = stage_configs(Settings(), RagChoices(), ENGLISH)

    assert (configs.language, configs.language_source) == ("en", "detected")
    assert configs.index_config(ENDPOINT, Path("/c")) == IndexConfig(
        endpoint=ENDPOINT, cache_dir=Path("/c")
    )
    assert configs.schema == SchemaConfig()
    assert configs.merge == MergeConfig()


def test_defaults_come_from_settings() -> None:
    settings = load_settings(
        rag_language="ru",
        rag_entity_types=["person", "organization", "product"],
        rag_chunk_size=600,
        rag_chunk_overlap=50,
        ontology_label_languages=["en", "de"],
        index_encoding_model="cl100k_base",
        index_max_gleanings=1,
        index_concurrency=2,
        index_report_max_input_tokens=3000,
        index_embeddings=[],
        schema_max_attempts=2,
        merge_supersede_descriptions=False,
    )
    configs = stage_configs(settings, RagChoices(), ENGLISH)  # a set language detects nothing
    index = configs.index_config(ENDPOINT, Path("/c"))

    assert (configs.language, configs.language_source) == ("ru", "deployment")
    assert index.language == "Russian"
    assert index.entity_types == ["person", "organization", "product"]
    assert (index.chunk_size, index.chunk_overlap) == (600, 50)
    assert (index.encoding_model, index.max_gleanings, index.concurrency) == ("cl100k_base", 1, 2)
    assert (index.report_max_input_tokens, index.embeddings) == (3000, [])
    assert configs.schema.output_language == "ru"
    assert configs.schema.further_label_languages == ["en", "de"]
    assert configs.schema.max_attempts == 2
    assert configs.merge.supersede_descriptions is False


def test_the_rags_choices_override_the_settings() -> None:
    settings = load_settings(
        rag_language="en", rag_entity_types=["thing"], rag_chunk_size=600, rag_chunk_overlap=50
    )
    rag = RagChoices(language="ru", entity_types=("персона",), chunk_size=300, chunk_overlap=30)
    configs = stage_configs(settings, rag)
    index = configs.index_config(ENDPOINT, Path("/c"))

    assert (configs.language, configs.language_source) == ("ru", "rag")
    assert (index.language, index.entity_types) == ("Russian", ["персона"])
    assert (index.chunk_size, index.chunk_overlap) == (300, 30)
    assert configs.stats == {"language": "ru", "language_source": "rag"}


def test_auto_detects_the_language_of_the_documents() -> None:
    auto = RagChoices(language="auto")

    assert stage_configs(load_settings(rag_language="en"), auto, RUSSIAN).language == "ru"
    assert stage_configs(Settings(), RagChoices(), RUSSIAN).schema.output_language == "ru"
    assert stage_configs(Settings(), auto, ENGLISH).language == "en"
    assert stage_configs(Settings(), auto, None).language == "en"  # nothing to read


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (RUSSIAN, "ru"),
        (ENGLISH, "en"),
        ("", "en"),
        ("2024-01-01 12:00", "en"),
        ("ООО Ромашка, ACME", "ru"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_settings_refuse_an_overlap_not_below_the_size() -> None:
    with pytest.raises(SettingsError, match="FERAG_RAG_CHUNK_OVERLAP"):
        load_settings(rag_chunk_size=100, rag_chunk_overlap=100)


def test_embedding_names_match_the_library() -> None:
    assert get_args(IndexEmbedding) == get_args(EmbeddingName)
