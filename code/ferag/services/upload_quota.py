"""Per-user upload limits in Redis, shared by every API process: how many uploads one user has
in progress at once, and how many bytes of documents they upload per UTC day.

In progress: a sorted set per user holds one entry per running upload, scored by its start
time; an entry older than ``STALE_AFTER_S`` (its API process died mid-upload) no longer counts,
so a crash cannot lock a user out. Daily volume: a counter per user and UTC day, charged with
each document's size as the upload is read (expanded bytes: what the pipeline will pay for) and
refunded if the upload is not stored. Beyond either limit: ``RateLimited`` (429 with
``Retry-After``). If Redis is unreachable the upload is let through (logged), as chat's limiter
does: uploads should not fail because of their limiter.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError

from ferag.errors import RateLimited
from graphrag_lib.documents import SourceDocument

logger = logging.getLogger(__name__)

STALE_AFTER_S = 3600  # an upload running longer than this is taken for one whose process died
CONCURRENCY_RETRY_AFTER_S = 10


class UploadQuota:
    def __init__(self, redis: Redis, user_id: int, *, concurrency: int, daily_bytes: int) -> None:
        self.redis = redis
        self.user_id = user_id
        self.concurrency = concurrency
        self.daily_bytes = daily_bytes
        self.charged = 0
        self._day = datetime.now(UTC).date()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the user's concurrent upload slots; RateLimited if none is free."""
        if self.concurrency <= 0:
            yield
            return
        key = f"ferag:uploads:active:{self.user_id}"
        entry = uuid.uuid4().hex
        now = time.time()
        try:
            pipeline = self.redis.pipeline()
            pipeline.zremrangebyscore(key, 0, now - STALE_AFTER_S)
            pipeline.zadd(key, {entry: now})
            pipeline.zcard(key)
            pipeline.expire(key, STALE_AFTER_S)
            running = int(pipeline.execute()[2])
        except RedisError as exc:
            logger.warning("upload concurrency not checked, Redis unavailable: %s", exc)
            yield
            return
        try:
            if running > self.concurrency:
                raise RateLimited(
                    f"you have {self.concurrency} uploads in progress already "
                    "(FERAG_UPLOAD_CONCURRENCY_PER_USER); retry when one of them has finished",
                    retry_after_s=CONCURRENCY_RETRY_AFTER_S,
                    code="upload_concurrency_limit",
                )
            yield
        finally:
            self._release(key, entry)

    def check_day(self) -> None:
        """RateLimited if the user's daily volume is used up already."""
        if self.daily_bytes > 0 and self._used_today() >= self.daily_bytes:
            raise self._daily_limit()

    def charge(self, documents: Iterable[SourceDocument]) -> Iterator[SourceDocument]:
        """The documents, each charged to today's volume as it passes; RateLimited at the one
        that would pass the daily limit. ``refund`` undoes the charges of an upload not stored."""
        for document in documents:
            if self.daily_bytes > 0 and self._add_today(document.size) > self.daily_bytes:
                raise self._daily_limit()
            yield document

    def refund(self) -> None:
        if self.charged:
            self._add_today(-self.charged)

    def _key_today(self) -> str:
        return f"ferag:uploads:bytes:{self.user_id}:{self._day.isoformat()}"

    def _used_today(self) -> int:
        try:
            return int(self.redis.get(self._key_today()) or 0)
        except RedisError as exc:
            logger.warning("daily upload volume not checked, Redis unavailable: %s", exc)
            return 0

    def _add_today(self, nbytes: int) -> int:
        self.charged += nbytes
        try:
            pipeline = self.redis.pipeline()
            pipeline.incrby(self._key_today(), nbytes)
            pipeline.expire(self._key_today(), 2 * 24 * 3600)
            return int(pipeline.execute()[0])
        except RedisError as exc:
            logger.warning("daily upload volume not counted, Redis unavailable: %s", exc)
            return 0

    def _daily_limit(self) -> RateLimited:
        tomorrow = datetime.combine(self._day + timedelta(days=1), datetime.min.time(), UTC)
        retry_after = max(1, int((tomorrow - datetime.now(UTC)).total_seconds()) + 1)
        return RateLimited(
            f"this upload would pass your daily upload volume of {self.daily_bytes:,} bytes of "
            f"documents (FERAG_UPLOAD_DAILY_BYTES_PER_USER); retry after 00:00 UTC, in "
            f"{retry_after} s",
            retry_after_s=retry_after,
            code="upload_daily_limit",
        )

    def _release(self, key: str, entry: str) -> None:
        try:
            self.redis.zrem(key, entry)
        except RedisError as exc:
            logger.warning("upload slot not released, Redis unavailable (expires): %s", exc)
