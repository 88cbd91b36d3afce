"""Worker liveness through Redis keys with a time to live: workers beat, /health reads.

Kept free of Celery imports so the API can read heartbeats without loading worker code, and so
``python -m ferag.heartbeat worker@%h`` starts fast enough to be a container health check.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Sequence

from redis import Redis
from redis.exceptions import RedisError

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


def is_beating(redis: Redis, worker: str) -> bool:
    return bool(redis.exists(f"{KEY_PREFIX}{worker}"))


def main(argv: Sequence[str]) -> int:
    """Exit status 0 when the worker named by ``argv[0]`` beats in FERAG_REDIS_URL's Redis;
    ``%h`` in the name is this host's name, as in the worker's ``celery worker -n``."""
    from ferag.settings import SettingsError, load_settings

    if len(argv) != 1:
        print("usage: python -m ferag.heartbeat WORKER_NAME (e.g. worker@%h)", file=sys.stderr)
        return 2
    worker = argv[0].replace("%h", socket.gethostname())
    try:
        redis = Redis.from_url(load_settings().require("redis_url"), socket_timeout=5)
        if is_beating(redis, worker):
            return 0
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except RedisError as exc:
        print(f"cannot read the heartbeat of {worker}: {exc}", file=sys.stderr)
        return 1
    print(f"no heartbeat from {worker} (it beats once it is ready)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
