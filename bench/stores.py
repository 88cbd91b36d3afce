"""The triple stores the benchmarks compare, started one way for all of them.

Oxigraph from its wheel (local mode: every RAG in one dataset) and Apache Jena Fuseki from its
pinned jar (production: one TDB2 dataset per RAG, basic auth), both through
``ferag.stack.servers``. A ``BenchStore`` gives the benchmark a client (``make_store`` with the
server's credentials), a chunked Graph Store POST for loading, the server's memory and CPU
time, and its version for the report.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import psutil

from ferag.stack import servers
from ferag.stack.fuseki_jar import FUSEKI_VERSION
from ferag.store.client import TripleStore, make_store

STORE_KINDS = ("oxigraph", "fuseki")
FUSEKI_HEAP = "1g"  # start_fuseki's default; --fuseki-heap changes it


@dataclass
class BenchStore:
    kind: str
    server: servers.Server
    base_iri: str

    @property
    def pid(self) -> int:
        return self.server.pid

    @property
    def version(self) -> str:
        if self.kind == "fuseki":
            return f"Apache Jena Fuseki {FUSEKI_VERSION} (TDB2, one dataset per RAG)"
        return f"{oxigraph_version()} (all RAGs in one dataset)"

    def client(self, timeout: float = 3600) -> TripleStore:
        env = self.server.env
        return make_store(
            self.kind,
            self.server.url,
            self.base_iri,
            timeout=timeout,
            user=env.get("FERAG_STORE_USER"),
            password=env.get("FERAG_STORE_PASSWORD"),
        )

    def rss_mib(self) -> float:
        """Resident memory of the server process (the JVM for Fuseki)."""
        return float(psutil.Process(self.pid).memory_info().rss) / 2**20

    def wait_until_idle(self, limit_s: float = 180) -> float:
        return wait_until_idle(self.pid, limit_s)

    def stop(self) -> None:
        self.server.stop()


def oxigraph_version() -> str:
    return f"Oxigraph server {version('oxigraph')} (wheel)"


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def wait_until_idle(pid: int, limit_s: float = 180) -> float:
    """Wait until server ``pid`` stops working in the background (RocksDB compaction after a
    bulk load, the JVM's compiler and collector), so that it does not compete with what is
    measured; returns the seconds waited."""
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < limit_s:
        time.sleep(1)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            break
        before = now
    return time.monotonic() - started


def start_store(kind: str, home: Path, base_iri: str, fuseki_heap: str = FUSEKI_HEAP) -> BenchStore:
    """Start a fresh ``kind`` store with its data and log under ``home``."""
    data, log = home / kind, home / "logs" / f"{kind}.log"
    if kind == "fuseki":
        server = servers.start_fuseki(data, log, heap=fuseki_heap)
    elif kind == "oxigraph":
        server = servers.start_oxigraph(data, log)
    else:
        raise ValueError(f"unknown store {kind!r}; one of {', '.join(STORE_KINDS)}")
    return BenchStore(kind, server, base_iri)


def parse_stores(text: str) -> list[str]:
    """``--stores oxigraph,fuseki`` as a list, checked."""
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(STORE_KINDS))
    if unknown or not kinds:
        raise ValueError(f"--stores takes a comma-separated subset of {','.join(STORE_KINDS)}")
    return kinds


def post_lines(
    store: TripleStore, rag_id: int, graph: str, lines: Sequence[str], chunk: int
) -> float:
    """Graph Store POST of N-Triples ``lines`` in chunks of ``chunk`` triples (each chunk one
    transaction, as a large RAG's first load would be sent); returns the seconds taken."""
    started = time.perf_counter()
    for at in range(0, len(lines), chunk):
        body = ("\n".join(lines[at : at + chunk]) + "\n").encode()
        store.post_graph(rag_id, graph, body)
    return time.perf_counter() - started
