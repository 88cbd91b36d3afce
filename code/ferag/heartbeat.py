"""Worker liveness through Redis keys with a time to live: workers beat, /health reads.

Kept free of Celery imports so the API can read heartbeats without loading worker code.
"""

from __future__ import annotations

import json
import time

from redis import Redis

KEY_PREFIX = "ferag:worker:"


def beat(redis: Redis, worker: str, period_s: float) -> None:
    """Record that ``worker`` is alive; the key expires after three missed beats."""
    value = json.dumps({"worker": worker, "ts": time.time()})
    redis.set(f"{KEY_PREFIX}{worker}", value, ex=max(1, round(period_s * 3)))


def forget(redis: Redis, worker: str) -> None:
    redis.delete(f"{KEY_PREFIX}{worker}")


def alive_workers(redis: Redis) -> list[str]:
    keys = redis.scan_iter(match=f"{KEY_PREFIX}*", count=100)
    return sorted(key.decode().removeprefix(KEY_PREFIX) for key in keys)
