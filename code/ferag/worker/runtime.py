"""What a worker process holds for the tasks it runs: database, triple store, Redis, settings.

Created lazily in each worker process (after Celery forks), once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ferag.db.engine import make_engine, make_session_factory
from ferag.settings import Settings, get_settings
from ferag.store.client import TripleStore, store_from_settings
from ferag.store.space import RagSpace
from graphrag_lib.llm import LlmEndpoint


@dataclass(frozen=True)
class WorkerRuntime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: TripleStore
    redis: Redis

    def space(self, rag_id: int) -> RagSpace:
        return RagSpace.of(self.store, str(self.settings.base_iri), rag_id)

    @property
    def llm_endpoint(self) -> LlmEndpoint:
        settings = self.settings
        return LlmEndpoint(
            base_url=settings.require("llm_base_url"),
            api_key=settings.llm_api_key,
            chat_model=settings.chat_model,
            embedding_model=settings.embedding_model,
            embedding_dim=settings.embedding_dim,
        )


@cache
def runtime() -> WorkerRuntime:
    settings = get_settings()
    engine = make_engine(settings.require("database_url"))
    store = store_from_settings(settings)
    redis = Redis.from_url(settings.require("redis_url"), socket_timeout=5)
    return WorkerRuntime(settings, engine, make_session_factory(engine), store, redis)
