"""Chat answers cached in Redis, so an identical question costs no linking, retrieval or model.

A turn is answered from the cache when the same question is asked of the same RAG at the same
production version, after the same earlier turns of its conversation, for the same date
(``as_of``) and with the same chat settings. Questions are compared normalised: Unicode NFKC,
case-folded, whitespace collapsed, trailing ``?``, ``!`` and ``.`` dropped. Approval and rollback
make a new production version, so neither can serve an answer read from the production it
replaced; entries expire after ``FERAG_CHAT_CACHE_TTL_S`` (0 turns the cache off).

An entry holds what the turn was built from — the linked entities and the retrieved context (so
citations resolve as they did) — and the model's reply. It is written once the turn is recorded,
only for turns whose context held something (a "don't know" costs nothing to answer again).
Redis being unreachable, or an entry that no longer reads, is a miss (logged): chat does not
fail because of its cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import TypeAdapter, ValidationError
from redis import Redis
from redis.exceptions import RedisError

from ferag import metrics
from ferag.settings import Settings
from graphrag_lib.llm import Reply
from graphrag_lib.retrieve import LinkedEntity, RetrievedContext, Turn

logger = logging.getLogger(__name__)

# Raised when an entry's shape changes, so entries written by older code are never read.
ENTRY_FORMAT = 1
KEY_PREFIX = "ferag:answers"
# The settings that change a turn's linking, context, prompt or model.
ANSWER_SETTINGS = (
    "chat_model",
    "llm_base_url",
    "chat_context_tokens",
    "chat_max_entities",
    "chat_history_turns",
    "chat_max_answer_tokens",
)


@dataclass(frozen=True)
class CachedAnswer:
    """What a cached turn is served from."""

    linked: list[LinkedEntity]
    context: RetrievedContext
    reply: Reply
    model: str
    standin: bool


_ENTRY = TypeAdapter(CachedAnswer)


def normalise(question: str) -> str:
    """The question as the cache compares it: "Who is Elena?" and "who is  elena" are one."""
    text = " ".join(unicodedata.normalize("NFKC", question).casefold().split())
    return text.rstrip("?!. ")


@dataclass(frozen=True)
class CacheSlot:
    """The cache entry of one prepared turn: read before linking, written once answered."""

    cache: AnswerCache
    key: str

    def get(self) -> CachedAnswer | None:
        return self.cache.read(self.key)

    def put(self, answer: CachedAnswer) -> None:
        self.cache.write(self.key, answer)


@dataclass(frozen=True)
class AnswerCache:
    redis: Redis
    ttl_s: int
    fingerprint: str  # of the settings that shape an answer

    @classmethod
    def from_settings(cls, settings: Settings, redis: Redis) -> AnswerCache | None:
        """The cache on the app's Redis client; None when ``chat_cache_ttl_s`` is 0."""
        if settings.chat_cache_ttl_s <= 0:
            return None
        shaping = {name: str(getattr(settings, name)) for name in ANSWER_SETTINGS}
        fingerprint = json.dumps(shaping, sort_keys=True)
        return cls(redis, settings.chat_cache_ttl_s, fingerprint)

    def slot(
        self,
        rag_id: int,
        version: int,
        question: str,
        history: Sequence[Turn],
        as_of: date | None,
    ) -> CacheSlot:
        """The entry of ``question`` asked after ``history`` on production ``version``."""
        turns = [(t.role, normalise(t.content) if t.role == "user" else t.content) for t in history]
        material = json.dumps(
            [ENTRY_FORMAT, self.fingerprint, normalise(question), turns, str(as_of)],
            ensure_ascii=False,
        )
        digest = hashlib.sha256(material.encode()).hexdigest()
        return CacheSlot(self, f"{KEY_PREFIX}:{rag_id}:{version}:{digest}")

    def read(self, key: str) -> CachedAnswer | None:
        try:
            raw = self.redis.get(key)
        except RedisError as exc:
            logger.warning("answer cache not read, Redis unavailable: %s", exc)
            metrics.observe_answer_cache("error")
            return None
        if raw is None:
            metrics.observe_answer_cache("miss")
            return None
        try:
            entry = _ENTRY.validate_json(raw)
        except ValidationError as exc:
            logger.warning("answer cache entry %s unreadable, ignored: %s", key, exc)
            metrics.observe_answer_cache("miss")
            return None
        metrics.observe_answer_cache("hit")
        return entry

    def write(self, key: str, answer: CachedAnswer) -> None:
        try:
            self.redis.set(key, _ENTRY.dump_json(answer), ex=self.ttl_s)
        except RedisError as exc:
            logger.warning("answer not cached, Redis unavailable: %s", exc)
