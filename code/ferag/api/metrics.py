"""Prometheus metrics of the API: requests by route template, status and duration.

With several API processes, prometheus_client keeps every process's values in files under
``PROMETHEUS_MULTIPROC_DIR`` (set by ``ferag.api.serve`` before the processes start), and
``/metrics`` adds them up.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

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

    def exposed_registry(self) -> CollectorRegistry:
        """What ``/metrics`` reports: this process's registry, or every process's values."""
        if not os.environ.get(MULTIPROC_ENV):
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
