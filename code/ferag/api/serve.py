"""Serving the API: uvicorn with ferag's set-up, shared by ``ferag api`` and ``ferag up``.

- ``FERAG_API_WORKERS`` processes. Each follows Redis once and fans task events out to its own
  sockets; everything else a process keeps (rate-limit counters, WebSocket tickets) is in Redis
  or PostgreSQL, so any process can serve any request.
- No ``permessage-deflate``: progress events are small JSON, and compressing each one per socket
  costs more CPU than it saves bytes (p99 at 1,000 sockets ≈51 ms with it, ≈30 ms without, one
  process; docs/events.md).
- Logging: uvicorn's own loggers (start-up, errors, the access log) go through ferag's handler
  (``ferag.logs.logging_config``), so with ``FERAG_LOG_JSON`` every line is JSON.
- With several processes, Prometheus metrics are kept in ``PROMETHEUS_MULTIPROC_DIR`` (the
  prometheus_client convention; ``<home>/run/metrics`` unless set) so that ``/metrics`` adds up
  every process rather than answering for whichever one took the request.
- uvicorn kills a process that does not start, or answer its health check, within
  ``FERAG_API_WORKER_HEALTHCHECK_TIMEOUT_S`` (uvicorn's own 5 s is missed when a busy 2-core
  machine imports the app in several processes at once).
- One instance id for all the processes (``FERAG_API_INSTANCE_ID``, new at each start unless
  the caller, e.g. ``ferag up``, chose it), reported by ``/health/live``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import uvicorn

from ferag.api.metrics import MULTIPROC_ENV
from ferag.logs import logging_config
from ferag.settings import Settings

APP = "ferag.api.app:create_app"
INSTANCE_ENV = "FERAG_API_INSTANCE_ID"


def serve(settings: Settings) -> None:
    """Run the API until interrupted."""
    if settings.api_workers > 1:
        prepare_metrics_dir(Path(os.environ.get(MULTIPROC_ENV) or settings.home / "run/metrics"))
    os.environ.setdefault(INSTANCE_ENV, uuid.uuid4().hex)  # inherited by every process
    uvicorn.run(
        APP,
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=settings.api_workers,
        ws_per_message_deflate=False,
        log_config=logging_config(settings.log_level, as_json=settings.log_json),
        timeout_worker_healthcheck=settings.api_worker_healthcheck_timeout_s,
    )


def instance_id() -> str:
    """This API instance's id: the one ``serve`` chose, or a new one (an app built directly)."""
    return os.environ.get(INSTANCE_ENV) or uuid.uuid4().hex


def prepare_metrics_dir(path: Path) -> None:
    """An empty metrics directory for this run, named in the environment the workers inherit
    (counters of an earlier run must not be added to this one's)."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(path)
