"""Session fixtures: real PostgreSQL, Redis, Oxigraph, the offline model stand-in and the API
over HTTP, each started once per test run from the same wheels as `ferag up`.

Point a fixture at a running server instead with FERAG_TEST_DATABASE_URL (a server URL; a fresh
database is created on it), FERAG_TEST_REDIS_URL or FERAG_TEST_STORE_URL (an Oxigraph server).

Apache Jena Fuseki (``fuseki_server``) starts only for the tests that ask for it, from the jar
``scripts/bootstrap`` fetched with Maven; without Java or Maven those tests skip, except under
CI=true, where they fail. ``fuseki_stack`` is a second whole stack on Fuseki (its own database,
Redis, home, API and worker) for the journeys that must give the same results on both stores.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from ferag.db import migrate
from ferag.settings import Settings
from ferag.stack import servers
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import TripleStore, store_from_settings
from tests.factories import Account, create_account
from tests.workers import WorkerProcess, start_worker

if TYPE_CHECKING:
    from playwright.sync_api import Browser

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEST_JWT_SECRET = "test-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def stack_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ferag-home")


def _server_or_start(env: str, start: object, home: Path, name: str) -> Iterator[str]:
    if url := os.environ.get(env):
        yield url
        return
    assert callable(start)
    server = start(home / name, home / "logs" / f"{name}.log")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server_url(stack_home: Path) -> Iterator[str]:
    yield from _server_or_start(
        "FERAG_TEST_DATABASE_URL", servers.start_postgres, stack_home, "postgres"
    )


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> str:
    url = servers.ensure_database(postgres_server_url, f"ferag_test_{uuid.uuid4().hex[:8]}")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url(stack_home: Path) -> Iterator[str]:
    yield from _server_or_start("FERAG_TEST_REDIS_URL", servers.start_redis, stack_home, "redis")


@pytest.fixture(scope="session")
def store_url(stack_home: Path) -> Iterator[str]:
    yield from _server_or_start(
        "FERAG_TEST_STORE_URL", servers.start_oxigraph, stack_home, "oxigraph"
    )


@pytest.fixture(scope="session")
def fuseki_server(stack_home: Path) -> Iterator[servers.Server]:
    """A real Fuseki with its admin API and basic authentication, started once per run."""
    from ferag.stack.fuseki_jar import FusekiUnavailable

    try:
        server = servers.start_fuseki(stack_home / "fuseki", stack_home / "logs" / "fuseki.log")
    except FusekiUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Fuseki tests must run under CI: {exc}")
        pytest.skip(f"Fuseki tests skipped: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    from ferag.llm.standin import create_app as create_standin

    with ThreadedServer(create_standin()) as server:
        yield f"{server.url}/v1"


def stack_settings(**servers_and_home: object) -> Settings:
    """The settings of a test stack: its servers and home, plus what every test stack shares."""
    return Settings(
        jwt_secret=TEST_JWT_SECRET,
        # Every test logs in from 127.0.0.1: the address limit would make one test's failed
        # logins another's 429 (tests/integration/api/test_login_limits.py sets its own).
        login_failures_per_address=1_000_000,
        log_json=False,
        log_level="WARNING",
        worker_heartbeat_s=1.0,
        # Tests rewrite productions in place and ask again: tests/integration/chat/
        # test_answer_cache.py runs an API of its own with the cache on.
        chat_cache_ttl_s=0,
        **servers_and_home,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def settings(
    stack_home: Path, database_url: str, redis_url: str, store_url: str, llm_url: str
) -> Settings:
    return stack_settings(
        home=stack_home,
        database_url=database_url,
        redis_url=redis_url,
        store_url=store_url,
        llm_base_url=llm_url,
    )


@pytest.fixture(scope="session")
def api_url(settings: Settings) -> Iterator[str]:
    from ferag.api.app import create_app

    with ThreadedServer(create_app(settings)) as server:
        yield server.url


@dataclass(frozen=True)
class Stack:
    """A whole running ferag stack: its settings and its API's URL (a worker serves it)."""

    kind: str  # the store: "oxigraph" or "fuseki"
    settings: Settings
    api_url: str


@pytest.fixture(scope="session")
def oxigraph_stack(settings: Settings, api_url: str, worker: WorkerProcess) -> Stack:
    """The stack most tests use, on Oxigraph."""
    return Stack("oxigraph", settings, api_url)


def _own_stack(
    home: Path, postgres_server_url: str, llm_url: str, kind: str, store: dict[str, str]
) -> Iterator[Stack]:
    """A whole stack of its own — database, Redis, home (so GraphRAG's cache too), API and
    worker — on the given store: a worker takes only its own stack's tasks, and RAG ids (which
    name Redis channels and GraphRAG's work) may repeat across stacks."""
    from ferag.api.app import create_app

    redis = servers.start_redis(home / "redis", home / "logs" / "redis.log")
    database_url = servers.ensure_database(
        postgres_server_url, f"ferag_test_{kind}_{uuid.uuid4().hex[:8]}"
    )
    migrate.upgrade(database_url)
    settings = stack_settings(
        home=home, database_url=database_url, redis_url=redis.url, llm_base_url=llm_url, **store
    )
    try:
        worker = start_worker(settings, home / "logs" / "worker.log")
        try:
            with ThreadedServer(create_app(settings)) as api:
                yield Stack(kind, settings, api.url)
        finally:
            worker.stop()
    finally:
        redis.stop()


@pytest.fixture(scope="session")
def fuseki_stack(
    stack_home: Path, postgres_server_url: str, fuseki_server: servers.Server, llm_url: str
) -> Iterator[Stack]:
    """A second stack, on Fuseki."""
    env = fuseki_server.env
    store = {
        "store_kind": "fuseki",
        "store_url": fuseki_server.url,
        "store_user": env["FERAG_STORE_USER"],
        "store_password": env["FERAG_STORE_PASSWORD"],
    }
    yield from _own_stack(
        stack_home / "fuseki-stack", postgres_server_url, llm_url, "fuseki", store
    )


@pytest.fixture(params=["oxigraph", "fuseki"])
def each_stack(request: pytest.FixtureRequest) -> Stack:
    """The test runs once on the Oxigraph stack and once on the Fuseki stack."""
    stack: Stack = request.getfixturevalue(f"{request.param}_stack")
    return stack


@pytest.fixture()
def client(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def worker(settings: Settings, stack_home: Path) -> Iterator[WorkerProcess]:
    """A real Celery worker process, ready when its heartbeat shows in Redis."""
    process = start_worker(settings, stack_home / "logs" / "worker.log")
    yield process
    process.stop()


@pytest.fixture()
def owner(client: httpx.Client) -> Account:
    """A fresh account, owner of whatever RAGs the test creates with it."""
    return create_account(client)


@pytest.fixture()
def store(settings: Settings) -> Iterator[TripleStore]:
    """A client of the test triple store."""
    client = store_from_settings(settings)
    yield client
    client.close()


CHROMIUM = os.environ.get("FERAG_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if Path(CHROMIUM).is_file() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
        "(scripts/test does as root) or set FERAG_CHROMIUM"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            chromium.close()
