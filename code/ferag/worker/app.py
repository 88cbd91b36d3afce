"""Celery application: ``celery -A ferag.worker.app worker``.

Tasks are named in the ``ferag.`` namespace; the API enqueues them by name with
``send_task`` and never imports this module. The worker announces itself with a heartbeat
in Redis that ``/health`` reads, serves its Prometheus metrics on
``FERAG_WORKER_METRICS_PORT`` (``ferag.worker.observe``), and runs the lease reaper that puts
the steps of dead workers back on the queue (``ferag.worker.leases``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

import celery.apps.worker
from celery.signals import (
    celeryd_after_setup,
    celeryd_init,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_ready,
    worker_shutdown,
)
from redis import Redis

from ferag import heartbeat
from ferag.logs import JsonFormatter, configure_logging
from ferag.queueing import make_celery
from ferag.settings import get_settings

# GraphRAG and LiteLLM try to download model data at import without these (ARCHITECTURE §9).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

logger = logging.getLogger(__name__)

settings = get_settings()
# Now, not only at Celery's ``setup_logging``: Celery warns (running as root, say) before it.
configure_logging(settings.log_level, as_json=settings.log_json)


def _say_json(msg: str, f: TextIO | None = sys.__stderr__) -> None:
    """Celery's notices from its signal handlers (``celery.apps.worker.safe_say``: "Warm
    shutdown", ...) as JSON lines. Celery writes them with one ``os.write`` because logging is
    not safe in a signal handler; so does this."""
    record = logging.makeLogRecord(
        {"name": "celery.apps.worker", "levelname": "WARNING", "msg": msg.strip()}
    )
    if f is not None:
        with contextlib.suppress(OSError, ValueError):
            os.write(f.fileno(), (JsonFormatter().format(record) + "\n").encode())


if settings.log_json:
    # LanceDB's Rust logger writes plain text to stderr; its errors reach Python as exceptions.
    os.environ.setdefault("LANCEDB_LOG", "off")
    celery.apps.worker.safe_say = _say_json


def _use_metrics_dir() -> Path | None:
    """Pool children write their metrics to files in a directory of this worker (not an API's,
    even if inherited) that the main process serves; set before prometheus_client is imported
    (it picks its value store at import), i.e. before the task modules are."""
    if not settings.worker_metrics_port:
        return None
    path = settings.home / "run" / f"worker-metrics-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


metrics_dir = _use_metrics_dir()

app = make_celery(settings.require("redis_url"))
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=settings.step_time_limit_s,
    task_soft_time_limit=max(1, settings.step_time_limit_s - 60),
    worker_hijack_root_logger=False,
    # Redis redelivers an unacknowledged task after this; it must outlast the longest step.
    broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
)
# The task modules; each registers its tasks under explicit ``ferag.*`` names.
app.conf.include = ["ferag.worker.tasks", "ferag.worker.selftest", "ferag.worker.cycle"]

_stop_beating = threading.Event()
_frozen = False


@setup_logging.connect
def _configure_logging(**_: Any) -> None:
    configure_logging(settings.log_level, as_json=settings.log_json)


@celeryd_init.connect
def _lower_priority(**_: Any) -> None:
    """Below the API's, before the pool forks (``ferag.worker.priority``)."""
    from ferag.worker.priority import lower_priority

    niceness = lower_priority(settings.worker_nice)
    logger.info("worker runs at nice %d (FERAG_WORKER_NICE=%d)", niceness, settings.worker_nice)


@celeryd_after_setup.connect
def _no_banner_in_json_logs(instance: Any = None, **_: Any) -> None:
    """Celery prints a plain-text banner at start; with JSON logs every line must be JSON."""
    if settings.log_json and instance is not None:
        instance.quiet = True


def _worker_name(sender: Any) -> str:
    return str(getattr(sender, "hostname", None) or f"ferag@{socket.gethostname()}")


@worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    name = _worker_name(sender)
    redis = Redis.from_url(settings.require("redis_url"), socket_timeout=5)

    def run() -> None:
        while not _stop_beating.is_set():
            try:
                heartbeat.beat(redis, name, settings.worker_heartbeat_s)
            except Exception as exc:  # Redis away: keep trying, /health will show it
                logger.warning("heartbeat failed: %s", exc)
            _stop_beating.wait(settings.worker_heartbeat_s)
        heartbeat.forget(redis, name)

    threading.Thread(target=run, name="ferag-heartbeat", daemon=True).start()
    logger.info("worker %s ready", name)


@worker_ready.connect
def _serve_metrics(**_: Any) -> None:
    from ferag.worker.observe import serve_metrics

    serve_metrics(settings, metrics_dir)


@worker_ready.connect
def _start_lease_reaper(**_: Any) -> None:
    # Its own engine and Redis client: the pool's processes must not share the main process's.
    from ferag.db.engine import make_engine, make_session_factory
    from ferag.worker.leases import start_reaper

    engine = make_engine(settings.require("database_url"))
    redis = Redis.from_url(settings.require("redis_url"), socket_timeout=5)
    start_reaper(
        make_session_factory(engine),
        redis,
        app,
        settings.step_lease_s,
        settings.lease_reaper_interval_s,
        _stop_beating,
    )


@task_prerun.connect
def _freeze_before_first_task(**_: Any) -> None:
    """The long-lived heap out of the collector's walks (see ``ferag.worker.heap``)."""
    from ferag.worker.heap import freeze_long_lived

    global _frozen
    if not _frozen:
        _frozen = True
        freeze_long_lived()


@task_postrun.connect
def _freeze_after_task(**_: Any) -> None:
    from ferag.worker.heap import freeze_long_lived

    freeze_long_lived()


@worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    _stop_beating.set()
    if metrics_dir is not None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
