"""`ferag up` with FERAG_STORE_KIND=fuseki and no store URL: an embedded Apache Jena Fuseki
under FERAG_HOME/fuseki, the same pinned jar the store tests run. A RAG made through the API
gets its dataset in that Fuseki; /health and `ferag status` name it; killed, it comes back on
the same port with its datasets; Ctrl-C stops everything.

Without Java or the jar the test skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ferag.stack.fuseki_jar import FUSEKI_VERSION, FusekiUnavailable, ensure_fuseki_jar, java_binary
from ferag.stack.state import ComponentRecord, StackState, state_path
from ferag.store.client import FusekiStore
from tests.e2e.test_ferag_up import FeragUp, processes_of, start, stop
from tests.factories import create_account, create_rag

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(autouse=True)
def _fuseki_can_run() -> None:
    try:
        java_binary()
        ensure_fuseki_jar()
    except FusekiUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Fuseki tests must run under CI: {exc}")
        pytest.skip(f"Fuseki tests skipped: {exc}")


@pytest.fixture()
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    yield home
    for process in processes_of(home):  # only after a failure: never leak a stack
        process.kill()


def store_record(home: Path) -> ComponentRecord:
    state = StackState.read(state_path(home))
    assert state is not None
    (record,) = [record for record in state.components if record.name == "store"]
    return record


def datasets(store: ComponentRecord, home: Path) -> set[str]:
    """The dataset names Fuseki's admin API lists, as the admin `ferag up` made."""
    user, _, password = (home / "fuseki" / "passwd").read_text().partition(":")
    response = httpx.get(
        f"{store.url}/$/datasets", auth=(user.strip(), password.strip()), timeout=30
    )
    assert response.status_code == 200, response.text
    return {entry["ds.name"].lstrip("/") for entry in response.json()["datasets"]}


def wait_restarted(home: Path, old_pid: int, timeout: float = 120) -> ComponentRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = store_record(home)
        if record.pid not in (None, old_pid):
            return record
        time.sleep(0.5)
    pytest.fail(f"Fuseki (pid {old_pid}) was not restarted")


def test_ferag_up_runs_fuseki_creates_datasets_in_it_and_restarts_it(home: Path) -> None:
    stack: FeragUp | None = None
    try:
        stack, api_url = start(home, FERAG_STORE_KIND="fuseki", FERAG_API_WORKERS="1")
        health = httpx.get(f"{api_url}/health", timeout=30).json()["components"]["store"]
        assert (health["kind"], health["version"]) == ("fuseki", FUSEKI_VERSION)
        status = stack.run("status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "embedded Apache Jena Fuseki, pid" in status.stdout
        assert f"store ok (fuseki {FUSEKI_VERSION})" in status.stdout

        with httpx.Client(base_url=api_url, timeout=30) as http:
            rag_id = create_rag(http, create_account(http))
        store = store_record(home)
        dataset = FusekiStore.dataset_name(rag_id)
        assert dataset in datasets(store, home)

        assert store.pid is not None
        os.kill(store.pid, signal.SIGKILL)
        restarted = wait_restarted(home, store.pid)
        assert restarted.url == store.url  # the worker and the API know it by this URL
        assert dataset in datasets(restarted, home)
        ready = httpx.get(f"{api_url}/health/ready", timeout=30)
        assert ready.status_code == 200, ready.text

        stop(stack)
    finally:
        if stack is not None:
            stack.stop()
