"""`python -m ferag.heartbeat worker@%h`, the worker's container health check, passes exactly
while that worker's heartbeat is in Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from redis import Redis

from ferag import heartbeat


def check(redis_url: str, name: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FERAG_REDIS_URL": redis_url}
    return subprocess.run([sys.executable, "-m", "ferag.heartbeat", name], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_check_passes_only_while_this_hosts_worker_beats(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    worker = f"health-check@{socket.gethostname()}"

    heartbeat.beat(redis, worker, period_s=30)
    beating = check(redis_url, "health-check@%h")
    other_host = check(redis_url, "health-check@another-host")
    heartbeat.forget(redis, worker)
    gone = check(redis_url, "health-check@%h")

    assert beating.returncode == 0, beating.stderr
    assert other_host.returncode == 1
    assert (gone.returncode, gone.stderr.strip()) == (
        1,
        f"no heartbeat from {worker} (it beats once it is ready)",
    )
