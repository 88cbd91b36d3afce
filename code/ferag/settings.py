"""The one typed configuration of ferag, shared by the API, the worker and the CLI.

Every field reads the environment variable ``FERAG_<FIELD>`` (or a ``.env`` file). A field left
empty that names a server (database, Redis, triple store, LLM) means "use the embedded one":
``ferag up`` and the test fixtures start it and pass its URL to their children.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

RagLanguage = Literal["ru", "en", "auto"]
"""A RAG's language: its documents' main language, written in descriptions, community reports
and ontology labels; ``auto`` detects it from each cycle's documents."""

# The names of graphrag_lib.index.config.EmbeddingName, restated: importing that module loads
# GraphRAG (seconds), which the API must not.
IndexEmbedding = Literal["entity_description", "community_full_content", "text_unit_text"]

MIN_PRODUCTION_SECRET_LENGTH = 32
# Secrets that were published (an old default of this setting): never sign tokens with them.
PUBLISHED_JWT_SECRETS = frozenset({"change-me-local-only"})


_HOW_TO_GENERATE_ONE = (
    "set a long random secret, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
)


class SettingsError(RuntimeError):
    """Settings are invalid; the message names the setting and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FERAG_", env_file=".env", extra="ignore", validate_default=True
    )

    environment: Literal["local", "production"] = Field(
        "local", description="`production` refuses default secrets and embedded servers."
    )
    home: Path = Field(
        Path.home() / ".ferag",
        description="Data directory of the embedded stack (databases, uploads, caches, logs).",
    )

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of PostgreSQL; empty: embedded server under `home`."
    )
    redis_url: str | None = Field(
        None, description="Redis URL for the Celery broker and pub/sub; empty: embedded server."
    )

    store_kind: Literal["oxigraph", "fuseki"] = Field(
        "oxigraph", description="Triple store flavour; both are used through SPARQL 1.1 only."
    )
    store_url: str | None = Field(
        None,
        description="Base URL of the triple store; empty: `ferag up` runs one of FERAG_STORE_KIND.",
    )
    store_user: str | None = Field(None, description="Triple store user (Fuseki admin API).")
    store_password: SecretStr | None = Field(None, description="Triple store password.")
    store_timeout_s: float = Field(30.0, gt=0, description="Timeout of one store request.")

    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:1234/v1; "
        "empty: the offline model stand-in (deterministic rules, not a model).",
    )
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key of the endpoint.")
    chat_model: str = Field("ferag-standin-chat", min_length=1, description="Chat model name.")
    embedding_model: str = Field(
        "ferag-standin-embed", min_length=1, description="Embedding model name."
    )
    embedding_dim: int = Field(384, gt=0, description="Dimension of the embedding model.")

    base_iri: AnyHttpUrl = Field(
        AnyHttpUrl("http://ferag.local/"), description="Base IRI of every resource ferag mints."
    )

    # Stage configs (docs/operations.md, "Stage configs"). Empty means the library's default,
    # which is written once, on the field of graphrag_lib's IndexConfig, SchemaConfig or
    # MergeConfig; a RAG's own language, entity types and chunking override the rag_* ones.
    rag_language: RagLanguage = Field(
        "auto",
        description="Language of a RAG that sets none: `ru`, `en`, or `auto` (detected from "
        "each cycle's documents by their share of Cyrillic letters).",
    )
    rag_entity_types: list[str] | None = Field(
        None,
        min_length=1,
        description="Entity types of a RAG that sets none (JSON list, e.g. "
        '`["organization","person","geo","event"]`); empty: IndexConfig.entity_types.',
    )
    rag_chunk_size: int | None = Field(
        None,
        gt=0,
        description="Text unit size in tokens of a RAG that sets none; empty: "
        "IndexConfig.chunk_size.",
    )
    rag_chunk_overlap: int | None = Field(
        None,
        ge=0,
        description="Tokens shared by neighbouring text units of a RAG that sets none; empty: "
        "IndexConfig.chunk_overlap. Must stay below the chunk size.",
    )
    ontology_label_languages: list[str] | None = Field(
        None,
        description="Further ontology label languages (BCP 47 tags, JSON list, e.g. "
        '`["en"]`) the model may label terms in besides the RAG\'s language; empty: '
        "SchemaConfig.label_languages.",
    )
    index_encoding_model: Literal["cl100k_base", "o200k_base"] | None = Field(
        None,
        description="tiktoken encoding that counts tokens for chunking; empty: "
        "IndexConfig.encoding_model.",
    )
    index_max_gleanings: int | None = Field(
        None,
        ge=0,
        description="Extra extraction rounds per text unit; empty: IndexConfig.max_gleanings.",
    )
    index_concurrency: int | None = Field(
        None,
        gt=0,
        description="Model requests the index step keeps in flight; empty: "
        "IndexConfig.concurrency.",
    )
    index_report_max_input_tokens: int | None = Field(
        None,
        gt=0,
        description="Most context tokens in one community report request (fit the model's "
        "context window); empty: IndexConfig.report_max_input_tokens.",
    )
    index_embeddings: list[IndexEmbedding] | None = Field(
        None,
        description="Embeddings the index step builds (JSON list; `[]`: no embedding "
        "requests); empty: IndexConfig.embeddings.",
    )
    schema_max_attempts: int | None = Field(
        None,
        ge=1,
        description="Model answers tried per ontology batch before the fallback; empty: "
        "SchemaConfig.max_attempts.",
    )
    merge_supersede_descriptions: bool | None = Field(
        None,
        description="Merge an entity's description with the new sentences of later documents "
        "(false: production's stays); empty: MergeConfig.supersede_descriptions.",
    )
    merge_auto_merge_score: float | None = Field(
        None, ge=0, le=1, description="Resolution: pairs scoring at least this merge without "
        "asking the LLM; empty: ResolutionConfig.auto_merge_score (docs/merge.md).",
    )  # fmt: skip
    merge_ask_score: float | None = Field(
        None, ge=0, le=1, description="Resolution: pairs from this score up to the merge score "
        "go to the LLM; empty: ResolutionConfig.ask_score.",
    )  # fmt: skip
    merge_max_llm_pairs: int | None = Field(
        None, ge=0, description="Resolution: at most this many pairs per cycle go to the LLM "
        "(the rest are flagged); empty: ResolutionConfig.max_llm_pairs.",
    )  # fmt: skip

    max_upload_bytes: int = Field(
        50 * 1024 * 1024,
        gt=0,
        description="Largest accepted request body, in bytes, counted as it arrives (chunked "
        "or not): a body that passes it is cut off with 413.",
    )
    max_upload_files: int = Field(1000, gt=0, description="Most documents in one upload.")
    max_archive_expanded_bytes: int = Field(
        500 * 1024 * 1024,
        gt=0,
        description="Largest total size the documents of one upload may expand to, in bytes "
        "(checked against the sizes a zip declares, then against what it really produces).",
    )
    max_document_bytes: int = Field(
        32 * 1024 * 1024,
        gt=0,
        description="Largest single document, in bytes, after expanding an archive: a document "
        "is held whole in API memory while its text is extracted.",
    )
    upload_concurrency_per_user: int = Field(
        2,
        ge=0,
        description="Uploads one user may have in progress at once (all RAGs); beyond it 429; "
        "0: unlimited.",
    )
    upload_daily_bytes_per_user: int = Field(
        2 * 1024 * 1024 * 1024,
        ge=0,
        description="Bytes of documents (expanded) one user may upload per UTC day (all "
        "RAGs); an upload that would pass it is refused with 429; 0: unlimited.",
    )

    jwt_secret: SecretStr | None = Field(
        None,
        description="Secret that signs access tokens; required (at least 32 characters) in "
        "production. Empty in local mode: a random one is generated once and kept in "
        "`home`/jwt_secret (mode 0600).",
    )
    jwt_ttl_minutes: int = Field(60 * 24, gt=0, description="Lifetime of an access token.")

    registration: Literal["open", "closed"] = Field(
        "open",
        description="`open`: anyone may register with POST /auth/register; `closed`: only an "
        "administrator creates accounts, with `ferag users create`.",
    )
    password_min_score: int = Field(
        3,
        ge=0,
        le=4,
        description="Least zxcvbn strength score (0-4) a new password needs; 3 refuses common "
        "passwords, names and short patterns.",
    )
    login_failures_per_account: int = Field(
        10,
        gt=0,
        description="Failed logins one email may have in the window before login answers 429.",
    )
    login_failures_per_address: int = Field(
        50,
        gt=0,
        description="Failed logins one client address may have in the window (all emails) "
        "before login answers 429.",
    )
    login_failure_window_s: int = Field(
        900, gt=0, description="Moving window of the failed-login limits, in seconds."
    )

    api_host: str = Field("127.0.0.1", description="Address the API listens on.")
    api_port: int = Field(8000, ge=0, le=65535, description="API port; 0 picks a free one.")
    api_workers: int = Field(
        2,
        gt=0,
        description="API processes (`ferag api`, `ferag up`). Each follows Redis once and fans "
        "task events out to its own sockets, so more processes spread a large audience over "
        "more cores.",
    )
    api_worker_healthcheck_timeout_s: int = Field(
        60,
        gt=0,
        description="Seconds an API process may take to start and to answer uvicorn's health "
        "check before uvicorn kills it (uvicorn's default, 5, is too short on a busy machine).",
    )
    worker_concurrency: int = Field(1, gt=0, description="Celery worker processes (`ferag up`).")
    restart_backoff_s: float = Field(
        1.0, gt=0, description="`ferag up`: first wait before restarting a child that died."
    )
    restart_backoff_max_s: float = Field(
        60.0, gt=0, description="`ferag up`: longest wait between restarts (the wait doubles)."
    )
    restart_reset_after_s: float = Field(
        60.0,
        gt=0,
        description="`ferag up`: a child that stayed up this long is restarted after the first "
        "wait again.",
    )
    worker_heartbeat_s: float = Field(5.0, gt=0, description="Worker heartbeat period.")
    worker_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="CPU priority (Unix nice) the worker lowers itself to, so a cycle's "
        "indexing does not delay the API on a shared host; 0: the same as the API.",
    )
    worker_metrics_port: int = Field(
        9810,
        ge=0,
        le=65535,
        description="Port on which each worker serves its Prometheus metrics (steps, model "
        "calls); 0: none. A second worker on the same host cannot bind it and runs unscraped.",
    )
    worker_metrics_host: str = Field(
        "127.0.0.1",
        description="Address the worker's metrics port listens on (0.0.0.0 for a Prometheus "
        "on another host).",
    )
    step_time_limit_s: int = Field(
        6 * 3600, gt=0, description="Hard time limit of one pipeline step (slow local models)."
    )
    step_lease_s: int = Field(
        120,
        ge=2,
        description="Lease of a running step, renewed by its worker every third of it; a step "
        "whose lease ran out (its worker died) goes back on the queue.",
    )
    lease_reaper_interval_s: float = Field(
        60.0, gt=0, description="How often each worker looks for steps whose lease ran out."
    )
    ws_heartbeat_s: float = Field(
        15.0, gt=0, description="Period of the heartbeat message on a task WebSocket."
    )
    ws_ticket_ttl_s: int = Field(
        30, gt=0, description="Lifetime of a single-use WebSocket ticket, in seconds."
    )
    ws_auth_timeout_s: float = Field(
        5.0, gt=0, description="How long a WebSocket without a ticket may take to send its token."
    )
    events_poll_interval_s: float = Field(
        1.0,
        gt=0,
        description="While Redis is unreachable, how often the API polls the database for the "
        "events of the tasks its sockets follow.",
    )
    events_reconnect_max_s: float = Field(
        5.0, gt=0, description="Longest back-off between attempts to reconnect to Redis pub/sub."
    )
    progress_min_interval_s: float = Field(
        0.5,
        ge=0,
        description="Shortest time between two progress events of one step (finishing always "
        "reports).",
    )
    step_max_retries: int = Field(
        5, ge=0, description="Retries of a step after a transient error (model, store, Redis)."
    )
    step_retry_backoff_s: int = Field(5, ge=1, description="First back-off between retries.")
    broker_visibility_timeout_s: int | None = Field(
        None,
        gt=0,
        description="Seconds before the broker hands an unacknowledged step (its "
        "worker died) to another worker; empty: the step time limit plus an hour.",
    )
    chat_context_tokens: int = Field(
        3000, ge=200, description="Token budget of the graph context put in one chat prompt."
    )
    chat_max_entities: int = Field(
        8, gt=0, description="Most entities one chat question is linked to."
    )
    chat_history_turns: int = Field(
        6, ge=0, description="Earlier question/answer pairs of a session sent with a question."
    )
    chat_max_answer_tokens: int = Field(
        1024, gt=0, description="Longest chat answer the model may write, in tokens."
    )
    chat_timeout_s: float = Field(
        300.0, gt=0, description="Timeout of one chat model request (slow local models)."
    )
    chat_rate_limit: int = Field(
        30,
        ge=0,
        description="Chat questions one user may ask per window (all RAGs, the OpenAI-compatible "
        "API included); 0: unlimited.",
    )
    chat_rate_window_s: int = Field(60, gt=0, description="Window of the chat rate limit.")
    embeddings_rate_limit: int = Field(
        120,
        ge=0,
        description="Requests to /v1/embeddings one user may make per window; 0: unlimited.",
    )
    embeddings_rate_window_s: int = Field(
        60, gt=0, description="Window of the embeddings rate limit."
    )
    chat_cache_ttl_s: int = Field(
        86_400,
        ge=0,
        description="Seconds an answer stays in the answer cache (identical questions on the "
        "same production version are answered from it); 0: no cache.",
    )
    sparql_timeout_s: float = Field(
        10.0, gt=0, description="Longest a query of a RAG's SPARQL endpoint may run."
    )
    sparql_max_result_bytes: int = Field(
        10_000_000,
        gt=0,
        description="Largest result a query of a RAG's SPARQL endpoint may return (bytes).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = Field(True, description="JSON log lines (false: plain text).")

    @field_validator("jwt_secret", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        # deploy/.env.example ships `FERAG_JWT_SECRET=`: empty means "not set", never a key.
        if value == "" or (isinstance(value, SecretStr) and not value.get_secret_value()):
            return None
        return value

    @model_validator(mode="after")
    def _refuse_published_secret(self) -> Self:
        if self.jwt_secret and self.jwt_secret.get_secret_value() in PUBLISHED_JWT_SECRETS:
            raise ValueError(
                "FERAG_JWT_SECRET is a published default that anyone can sign tokens with; "
                f"unset it (local mode then generates one in FERAG_HOME) or {_HOW_TO_GENERATE_ONE}"
            )
        return self

    @model_validator(mode="after")
    def _enforce_production_rules(self) -> Self:
        if self.environment != "production":
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
            raise ValueError(
                f"FERAG_JWT_SECRET is empty or shorter than {MIN_PRODUCTION_SECRET_LENGTH} "
                f"characters; production needs an explicit one: {_HOW_TO_GENERATE_ONE}"
            )
        for name in ("database_url", "redis_url", "store_url"):
            if getattr(self, name) is None:
                raise ValueError(
                    f"FERAG_{name.upper()} is empty; production does not start embedded servers"
                )
        return self

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Self:
        size, overlap = self.rag_chunk_size, self.rag_chunk_overlap
        if size is not None and overlap is not None and overlap >= size:
            raise ValueError(
                f"FERAG_RAG_CHUNK_OVERLAP ({overlap}) must be smaller than "
                f"FERAG_RAG_CHUNK_SIZE ({size})"
            )
        return self

    @property
    def visibility_timeout_s(self) -> int:
        return self.broker_visibility_timeout_s or self.step_time_limit_s + 3600

    @property
    def uses_standin_llm(self) -> bool:
        return self.llm_base_url is None

    def require(self, name: str) -> str:
        """The value of a server URL setting, or a SettingsError saying how to provide it."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(
                f"FERAG_{name.upper()} is not set. Run `ferag up` to start the embedded stack, "
                f"or point FERAG_{name.upper()} at a running server."
            )
        return str(value)


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning pydantic's report into one message that names each setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"FERAG_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
