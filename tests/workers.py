"""Real Celery worker processes for tests: start one with given settings, wait for its
heartbeat, stop it gently or kill it hard (its whole process group, pool children included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from ferag.settings import Settings


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        """Warm shutdown: the running task finishes or is handed back."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)

    def kill(self) -> None:
        """What a crash or power cut does: every process of the worker dies at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def settings_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment that gives a child process (worker, CLI) the same settings."""
    env = {
        "FERAG_HOME": str(settings.home),
        "FERAG_DATABASE_URL": settings.database_url or "",
        "FERAG_REDIS_URL": settings.redis_url or "",
        "FERAG_STORE_KIND": settings.store_kind,
        "FERAG_STORE_URL": settings.store_url or "",
        "FERAG_STORE_USER": settings.store_user or "",
        "FERAG_STORE_PASSWORD": (
            settings.store_password.get_secret_value() if settings.store_password else ""
        ),
        "FERAG_LLM_BASE_URL": settings.llm_base_url or "",
        "FERAG_JWT_SECRET": settings.jwt_secret.get_secret_value() if settings.jwt_secret else "",
        "FERAG_LOG_JSON": "false",
        "FERAG_WORKER_HEARTBEAT_S": str(settings.worker_heartbeat_s),
    }
    return {**os.environ, **env, **overrides}


def start_worker(
    settings: Settings,
    log_path: Path,
    *,
    prefix: Sequence[str] = (),
    host: str = "localhost",
    **env: str,
) -> WorkerProcess:
    """A worker with ``settings`` (``env`` overrides FERAG_* variables), once it is ready.

    ``prefix`` goes before the worker's command line (``ip netns exec <ns>`` runs it on another
    "host"; it must exec the worker, so that stopping the process stops the worker); ``host``
    is the part of the worker's name after ``@``."""
    name = f"test-{uuid.uuid4().hex[:6]}@{host}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ferag.worker.app",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
            ],
            env=settings_env(settings, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(name, process, log_path)
    redis = Redis.from_url(env.get("FERAG_REDIS_URL") or settings.require("redis_url"))
    deadline = time.monotonic() + 60
    while not redis.exists(f"ferag:worker:{name}"):
        if time.monotonic() > deadline or process.poll() is not None:
            worker.kill()
            raise RuntimeError(f"the worker did not start; see {log_path}")
        time.sleep(0.2)
    return worker
