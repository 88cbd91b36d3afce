"""Per-user rate limits in Redis: a fixed window counter per user and action.

``hit`` counts one request in the current window (``INCR`` + ``EXPIRE``, one round trip) and
raises ``ferag.errors.RateLimited`` with the seconds until the window ends once the count passes
the limit; the API answers 429 with ``Retry-After``. Counters live in Redis so every API
process shares them. If Redis is unreachable the request is let through (logged): a request
should not fail because of its limiter. The limit of action ``x`` is the setting
``FERAG_X_RATE_LIMIT``, which the 429 names.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import RedisError

from ferag.errors import RateLimited

logger = logging.getLogger(__name__)


def hit(redis: Redis, action: str, user_id: int, limit: int, window_s: int) -> None:
    """Count one ``action`` of ``user_id``; RateLimited beyond ``limit`` per ``window_s``.
    A limit of 0 means unlimited."""
    if limit <= 0:
        return
    now = time.time()
    window = int(now // window_s)
    key = f"ferag:ratelimit:{action}:{user_id}:{window}"
    try:
        pipeline = redis.pipeline()
        pipeline.incr(key)
        pipeline.expire(key, window_s + 1)
        count = int(pipeline.execute()[0])
    except RedisError as exc:
        logger.warning("rate limit not checked, Redis unavailable: %s", exc)
        return
    if count > limit:
        retry_after = max(1, int((window + 1) * window_s - now + 0.999))
        raise RateLimited(
            f"more than {limit} {action} requests in {window_s} s; retry in {retry_after} s "
            f"(FERAG_{action.upper()}_RATE_LIMIT)",
            retry_after_s=retry_after,
        )
