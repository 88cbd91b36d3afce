"""A worker on another host (ARCHITECTURE §12): a cycle uploaded to the API on host A is
processed entirely by a Celery worker on host B, which reaches PostgreSQL, Redis, the triple
store and the model stand-in over the network only.

Host B is a network namespace of its own joined to this one (host A) by a veth pair, with a
``FERAG_HOME`` of its own. The test starts its own servers, bound to A's end of the link (so
nothing is reachable on A's loopback for B to use by accident), its own API on A, and no worker
on A. It needs root and ``ip netns``; without them it skips, saying why, except under CI=true,
where it fails.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from redis import Redis

from ferag import heartbeat
from ferag.db import migrate
from ferag.settings import Settings
from ferag.stack import servers
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import store_from_settings
from graphrag_lib.pipeline import STEP_NAMES
from graphrag_lib.vocab import RagIris
from tests.e2e.test_update_cycle import select, staged, upload
from tests.factories import Account, create_account, create_rag
from tests.fixtures.documents import zip_bytes
from tests.workers import WorkerProcess, start_worker

pytestmark = pytest.mark.slow

# Two short documents: GraphRAG's whole pipeline on the stand-in, without a big corpus's minutes.
CORPUS = {
    "team/finance.txt": b"Elena Kuznetsova works at Kama Bank in Kazan. "
    b"Kama Bank is a regional bank that lends to freight companies.\n",
    "team/warehouse.txt": b"Igor Sokolov manages the cold warehouse in Novosibirsk. "
    b"Igor Sokolov reports to Elena Kuznetsova on costs.\n",
}

# /30 links are carved out of this block; a random one per run keeps parallel runs apart.
LINK_BLOCK = ipaddress.IPv4Network("10.213.0.0/16")


@dataclass(frozen=True)
class HostB:
    """The network namespace playing host B and the link between it and this host (A)."""

    netns: str
    a_address: str
    b_address: str
    network: str

    @property
    def prefix(self) -> list[str]:
        """Runs a command on B; ``ip netns exec`` execs it, so its pid is the command's."""
        return ["ip", "netns", "exec", self.netns]


def _ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True, capture_output=True, text=True)


def _unused_link() -> ipaddress.IPv4Network:
    taken = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    links = list(LINK_BLOCK.subnets(new_prefix=30))
    for _ in range(100):
        link = random.choice(links)
        if f" {link[1]}/" not in taken and f" {link[2]}/" not in taken:
            return link
    raise RuntimeError(f"no free /30 left in {LINK_BLOCK}")


def _refuse(reason: str) -> None:
    message = f"two-host test needs network namespaces (root, `ip netns`): {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture()
def host_b() -> Iterator[HostB]:
    """A fresh network namespace with loopback up and a veth link to this one, removed after."""
    tag = uuid.uuid4().hex[:8]
    netns, veth_a, veth_b = f"ferag-b-{tag}", f"fa{tag}", f"fb{tag}"  # names ≤ 15 characters
    try:
        _ip("netns", "add", netns)
    except (OSError, subprocess.CalledProcessError) as exc:
        _refuse((getattr(exc, "stderr", None) or str(exc)).strip())
    try:
        link = _unused_link()
        a, b = str(link[1]), str(link[2])
        _ip("link", "add", veth_a, "type", "veth", "peer", "name", veth_b)
        _ip("link", "set", veth_b, "netns", netns)
        _ip("addr", "add", f"{a}/30", "dev", veth_a)
        _ip("link", "set", veth_a, "up")
        _ip("-n", netns, "addr", "add", f"{b}/30", "dev", veth_b)
        _ip("-n", netns, "link", "set", veth_b, "up")
        # the worker serves its metrics on B's own 127.0.0.1
        _ip("-n", netns, "link", "set", "lo", "up")
        yield HostB(netns, a, b, str(link))
    finally:
        # Deleting the namespace destroys B's end and with it the pair; the second call covers
        # a failure before the pair moved there.
        subprocess.run(["ip", "netns", "del", netns], capture_output=True)
        subprocess.run(["ip", "link", "del", veth_a], capture_output=True)


def _trust_network(postgres: servers.Server, data_dir: Path, network: str) -> None:
    """``initdb -A trust`` lets in the loopback only, and the server listens on the link alone:
    let in the link's network (A and B), then wait for PostgreSQL to reload (SIGHUP)."""
    with (data_dir / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {network} trust\n")
    postgres.process.send_signal(signal.SIGHUP)
    engine = sa.create_engine(postgres.url)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        engine.dispose()


@pytest.fixture()
def host_a(host_b: HostB, tmp_path: Path) -> Iterator[Settings]:
    """Host A's servers on A's end of the link, and the settings that reach them there."""
    from ferag.llm.standin.app import create_app as create_standin

    home, host = tmp_path / "host-a", host_b.a_address
    logs = home / "logs"
    with ExitStack() as stack:
        postgres = servers.start_postgres(home / "postgres", logs / "postgres.log", host=host)
        stack.callback(postgres.stop)
        redis = servers.start_redis(home / "redis", logs / "redis.log", host=host)
        stack.callback(redis.stop)
        oxigraph = servers.start_oxigraph(home / "oxigraph", logs / "oxigraph.log", host=host)
        stack.callback(oxigraph.stop)
        _trust_network(postgres, home / "postgres", host_b.network)
        standin = stack.enter_context(ThreadedServer(create_standin(), host=host))
        database_url = servers.ensure_database(postgres.url, "ferag")
        migrate.upgrade(database_url)
        yield Settings(
            home=home,
            database_url=database_url,
            redis_url=redis.url,
            store_url=oxigraph.url,
            llm_base_url=f"{standin.url}/v1",
            jwt_secret="two-hosts-" + uuid.uuid4().hex,
            log_json=False,
            log_level="WARNING",
            worker_heartbeat_s=1.0,
        )


@pytest.fixture()
def worker_b(host_a: Settings, host_b: HostB, tmp_path: Path) -> Iterator[WorkerProcess]:
    """The only worker: on host B, with B's own home, ready once its heartbeat is in Redis."""
    home = tmp_path / "host-b"
    worker = start_worker(
        host_a.model_copy(update={"home": home}),
        home / "logs" / "worker.log",
        prefix=host_b.prefix,
        host=host_b.netns,
        FERAG_LOG_LEVEL="INFO",  # Celery's "Task ... succeeded" lines are INFO
    )
    try:
        yield worker
    finally:
        try:
            worker.stop()
        finally:
            worker.kill()  # a worker that did not stop must not outlive its namespace's teardown


def _wait_for_cycle(
    http: httpx.Client, owner: Account, rag_id: int, cycle_id: int, redis: Redis
) -> tuple[dict[str, Any], set[str]]:
    """The finished cycle and every worker seen alive while it ran."""
    seen: set[str] = set()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        seen.update(heartbeat.alive_workers(redis))
        cycle = http.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
        if cycle["status"] not in ("pending", "running"):
            return dict(cycle), seen
        time.sleep(0.5)
    raise AssertionError(f"cycle {cycle_id} did not finish: {cycle}")


def _redis_clients(redis: Redis) -> set[str]:
    return {str(client["addr"]).rsplit(":", 1)[0] for client in redis.client_list()}


def _postgres_clients(settings: Settings) -> set[str]:
    engine = sa.create_engine(settings.require("database_url"))
    try:
        with engine.connect() as conn:
            query = "SELECT DISTINCT host(client_addr) FROM pg_stat_activity"
            return {str(addr) for addr in conn.execute(sa.text(query)).scalars()}
    finally:
        engine.dispose()


def _net_namespace(pid: int | str) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def test_a_cycle_uploaded_on_host_a_is_processed_on_host_b_only(
    host_a: Settings, host_b: HostB, worker_b: WorkerProcess, tmp_path: Path
) -> None:
    from ferag.api.app import create_app

    redis = Redis.from_url(host_a.require("redis_url"))
    with (
        ThreadedServer(create_app(host_a)) as api,
        httpx.Client(base_url=api.url, timeout=30) as http,
    ):
        owner = create_account(http)
        rag_id = create_rag(http, owner, "two hosts")
        accepted = upload(http, owner, rag_id, "team.zip", zip_bytes(CORPUS))
        cycle_id = accepted["cycle_id"]
        cycle, alive = _wait_for_cycle(http, owner, rag_id, cycle_id, redis)
    assert cycle["status"] == "review", cycle["error"]
    assert all(cycle["steps"][step]["status"] == "done" for step in STEP_NAMES), cycle["steps"]

    # The one worker alive while the cycle ran was B's, and it ran in another network namespace,
    # connected to A's servers from B's end of the link.
    assert alive == {worker_b.name}
    assert _net_namespace(worker_b.process.pid) != _net_namespace("self")
    assert host_b.b_address in _redis_clients(redis)
    assert host_b.b_address in _postgres_clients(host_a)

    # B's worker ran every step of this cycle: the cycle says so, and Celery logged each task.
    assert {cycle["steps"][step]["worker"] for step in STEP_NAMES} == {worker_b.name}
    log = worker_b.log_path.read_text(errors="replace")
    for step in STEP_NAMES:
        assert re.search(rf"Task ferag\.cycle\.{step}\[[0-9a-f-]+\] succeeded", log), step

    # GraphRAG worked and cached under B's home; A's home holds only A's servers' data.
    work = f"work/rag-{rag_id}/cycle-{cycle_id}"
    assert any((tmp_path / "host-b" / work).rglob("*")), f"no working files under B's {work}"
    assert any((tmp_path / "host-b" / "cache").rglob("*")), "no GraphRAG cache under B's home"
    assert not (tmp_path / "host-a" / "work").exists()
    assert not (tmp_path / "host-a" / "cache").exists()

    # The staged change set is in the store on A.
    store = store_from_settings(host_a)
    try:
        add = staged(RagIris(str(host_a.base_iri), str(rag_id)), cycle_id, "add")
        rows = select(
            store,
            rag_id,
            f"SELECT ?label WHERE {{ GRAPH {add} {{ ?e a ferag:Entity ; rdfs:label ?label }} }}",
        )
    finally:
        store.close()
    assert {"Elena Kuznetsova", "Kama Bank"} <= {row["label"] for row in rows}, rows
