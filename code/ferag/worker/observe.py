"""What the worker tells operators: step timings, model calls and log context.

- ``observed_step`` wraps one run of a step task: it binds ``cycle_id``, ``step`` and the Celery
  task id to every log line (the runner adds ``rag_id`` and ``task_id`` once it has claimed
  the cycle, with ``ferag.logs.bind``) and times the step into ``ferag_step_duration_seconds``.
- ``observe_llm_call`` is the observer of ferag's own model calls (``OpenAILikeChat``) and
  ``GraphragMetricsStore`` receives GraphRAG's (its ``graphrag_llm`` metrics hook, registered
  as ``GRAPHRAG_METRICS_STORE``); both label the call with the step it ran in.
- ``serve_metrics`` exposes the worker's metrics on ``FERAG_WORKER_METRICS_PORT``. Celery's
  pool children do the work and the main process answers Prometheus, so the children write
  their values to a multiprocess directory of this worker (``ferag.worker.app`` names it before
  prometheus_client is first imported) that the main process reads at each scrape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery import Task
from celery.exceptions import Ignore
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from ferag import metrics as ferag_metrics
from ferag.logs import current_context, log_context
from ferag.settings import Settings
from graphrag_lib.llm import LlmCall

logger = logging.getLogger(__name__)

GRAPHRAG_METRICS_STORE = "ferag-prometheus"
NO_STEP = "none"  # a model call outside a step (none today; keeps the label bounded)


def serve_metrics(settings: Settings, path: Path | None) -> None:
    """Answer Prometheus on the worker's metrics port (in the worker's main process)."""
    if path is None:
        return
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
    host, port = settings.worker_metrics_host, settings.worker_metrics_port
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:  # another worker on this host has the port: run on, unscraped
        logger.warning("worker metrics not served on %s:%s: %s", host, port, exc)
        return
    logger.info("worker metrics on http://%s:%s/metrics", host, port)


def current_step() -> str:
    return str(current_context().get("step", NO_STEP))


@contextmanager
def observed_step(
    task: Task, cycle_id: int, step: str, transient: tuple[type[Exception], ...]
) -> Iterator[None]:
    """Log context and timing of one run of ``step``. Only a step that was claimed (the runner
    bound ``task_id``) is timed: a skipped or ignored one did no work."""
    started = time.perf_counter()
    with log_context(cycle_id=cycle_id, step=step, celery_task_id=task.request.id) as context:
        try:
            yield
        except Ignore:
            raise
        except Exception as exc:
            retried = isinstance(exc, transient) and task.request.retries < task.max_retries
            _time_step(context, step, "retried" if retried else "failed", started)
            raise
        _time_step(context, step, "done", started)


def _time_step(context: dict[str, object], step: str, outcome: str, started: float) -> None:
    if "task_id" in context:
        ferag_metrics.STEP_SECONDS.labels(step, outcome).observe(time.perf_counter() - started)


def observe_llm_call(call: LlmCall) -> None:
    ferag_metrics.observe_llm_call(call, current_step())


class GraphragMetricsStore:
    """A ``graphrag_llm`` metrics store that hands each model call's metrics to Prometheus.

    GraphRAG calls ``update_metrics`` once per call with that call's metrics: a call answered
    from its cache carries ``cached_responses`` (and the cached call's numbers, not counted
    again); a real one ``compute_duration_seconds``, the token counts and whether it failed.
    """

    def __init__(self, *, id: str, **_: Any) -> None:
        self._id = id
        self._model = id.split("/", 1)[-1]  # "<provider>/<model>"

    @property
    def id(self) -> str:
        return self._id

    def update_metrics(self, *, metrics: dict[str, Any]) -> None:
        step = current_step()
        if metrics.get("cached_responses"):
            ferag_metrics.LLM_CACHED.labels(self._model, step).inc()
            return
        outcome = "error" if metrics.get("failed_response_count") else "ok"
        ferag_metrics.LLM_REQUESTS.labels(self._model, step, outcome).inc()
        seconds = metrics.get("compute_duration_seconds")
        if seconds is not None:
            ferag_metrics.LLM_SECONDS.labels(self._model, step).observe(float(seconds))
        for kind in ("prompt", "completion"):
            if tokens := metrics.get(f"{kind}_tokens"):
                ferag_metrics.LLM_TOKENS.labels(self._model, step, kind).inc(float(tokens))

    def get_metrics(self) -> dict[str, Any]:
        return {}

    def clear_metrics(self) -> None:
        """Nothing is kept here: Prometheus holds the totals."""


def register_graphrag_metrics() -> None:
    """Make ``GRAPHRAG_METRICS_STORE`` known to GraphRAG (``IndexConfig.metrics_store``)."""
    from graphrag_llm.metrics import register_metrics_store

    register_metrics_store(GRAPHRAG_METRICS_STORE, GraphragMetricsStore)  # type: ignore[arg-type]
