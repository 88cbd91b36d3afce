"""Prometheus metrics of the API: requests by route template, status and duration, and what
``/metrics`` exposes (these, ferag's other metrics of ``ferag.metrics``, and the cycles by state).

With several API processes, prometheus_client keeps every process's values in files under
``PROMETHEUS_MULTIPROC_DIR`` (set by ``ferag.api.serve`` before the processes start), and
``/metrics`` adds them up. The cycles by state are not a process's to count: they are read
from the database at each scrape (``CycleStates``), so every API process reports the same
numbers (aggregate them with ``max``, not ``sum``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ferag import metrics
from ferag.services.cycles import count_by_status

logger = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ApiMetrics:
    """One registry per app, so several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ferag_http_requests_total",
            "HTTP requests handled.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "ferag_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)

    def exposed_registry(self, session_factory: sessionmaker[Session]) -> CollectorRegistry:
        """What ``/metrics`` reports: this process's metrics (or every process's values) and
        the cycles by state."""
        registry = CollectorRegistry(auto_describe=False)
        if os.environ.get(MULTIPROC_ENV):
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry.register(_Registered(self.registry))
            registry.register(_Registered(metrics.REGISTRY))
        registry.register(CycleStates(session_factory))
        return registry


class _Registered(Collector):
    """Another registry's metrics, collected into this one."""

    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._source.collect()  # type: ignore[misc]


class CycleStates(Collector):
    """``ferag_cycles{state}``: the cycles of every RAG in each state, now (one grouped count)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self._session_factory() as db:
                counts = count_by_status(db)
        except SQLAlchemyError as exc:  # the rest of /metrics still answers; /health says why
            logger.warning("cycles by state not exported: database unavailable (%s)", exc)
            return
        family = GaugeMetricFamily(
            metrics.CYCLES_FAMILY, "Update cycles in each state, all RAGs.", labels=["state"]
        )
        for status, count in counts.items():
            family.add_metric([status.value], count)
        yield family


def exported_names() -> set[str]:
    """Every sample name ``/metrics`` can show (dashboards may query only these)."""
    registry = CollectorRegistry()
    registry.register(_Registered(ApiMetrics().registry))
    registry.register(_Registered(metrics.REGISTRY))
    names = {metrics.CYCLES_FAMILY}
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count")}
    for family in registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
    return names
