"""`ferag up` heals: a child killed with SIGKILL in the middle of a cycle is restarted, and the
cycle finishes without anyone doing anything and without duplicate data.

Each test runs its own stack (a fresh home, so GraphRAG's cache does not make the step too
short to interrupt) with a 10-second step lease and a reaper every 2 seconds.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.stack.state import StackState, state_path
from tests.e2e.test_cycle_recovery import count_rows, duplicated_labels
from tests.e2e.test_ferag_up import FeragUp, processes_of, start, stop
from tests.e2e.test_update_cycle import upload, wait_for_cycle
from tests.factories import Account, create_account, create_rag
from tests.fixtures.documents import corpus_zip

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

FAST_HEALING = {
    "FERAG_STEP_LEASE_S": "10",
    "FERAG_LEASE_REAPER_INTERVAL_S": "2",
    "FERAG_RESTART_BACKOFF_S": "1",
    "FERAG_API_WORKERS": "1",
}


@pytest.fixture()
def stack(tmp_path: Path) -> Iterator[tuple[FeragUp, str]]:
    home = tmp_path / "home"
    running, api_url = start(home, **FAST_HEALING)
    yield running, api_url
    running.stop()
    for process in processes_of(home):  # only after a failure: never leak a stack
        process.kill()


def component_pid(home: Path, name: str) -> int:
    state = StackState.read(state_path(home))
    assert state is not None
    (pid,) = [record.pid for record in state.components if record.name == name]
    assert pid is not None
    return pid


def stack_settings(home: Path) -> Settings:
    state = StackState.read(state_path(home))
    assert state is not None
    urls = {record.name: record.url for record in state.components}
    return Settings(
        home=home, database_url=urls["database"], redis_url=urls["redis"], store_url=urls["store"]
    )


def events_of(http: httpx.Client, owner: Account, task_id: str) -> list[dict[str, Any]]:
    response = http.get(f"/tasks/{task_id}/events", headers=owner.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def wait_for_step(
    http: httpx.Client, owner: Account, task_id: str, step: str, timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with_step = [e for e in events_of(http, owner, task_id) if e["step"] == step]
        if any(e["status"] in ("running", "progress") for e in with_step):
            return
        time.sleep(0.2)
    raise AssertionError(f"step {step} never started")


def wait_ready(api_url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api_url}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the API never became ready again")


def kill_mid_step(stack: tuple[FeragUp, str], component: str, step: str) -> dict[str, Any]:
    """Upload the corpus, SIGKILL ``component`` once ``step`` runs, and return the finished
    cycle with its events, after checking that nothing was stored twice."""
    running, api_url = stack
    with httpx.Client(base_url=api_url, timeout=30) as http:
        owner = create_account(http)
        rag_id = create_rag(http, owner)
        accepted = upload(http, owner, rag_id, "corpus.zip", corpus_zip())
        wait_for_step(http, owner, accepted["task_id"], step)
        time.sleep(1)  # inside the step
        pid = component_pid(running.home, component)
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()

        running.wait_for(rf"{component} stopped unexpectedly \(killed by SIGKILL\)", 30)
        running.wait_for(rf"{component} restarted \(pid \d+\)", 90)
        assert component_pid(running.home, component) != pid  # stack.json follows
        cycle = wait_for_cycle(http, owner, rag_id, accepted["cycle_id"], timeout=240)
        healed_in = time.monotonic() - killed_at
        events = events_of(http, owner, accepted["task_id"])

    assert cycle["status"] == "review", cycle["error"]
    assert healed_in < 240
    settings = stack_settings(running.home)
    assert count_rows(settings, "documents", accepted["cycle_id"]) == accepted["documents"]
    assert count_rows(settings, "cycle_artifacts", accepted["cycle_id"]) == 2
    assert duplicated_labels(settings, rag_id, accepted["cycle_id"]) == []
    finished = [e for e in events if e["step"] == "pipeline" and e["status"] == "done"]
    assert len(finished) == 1
    wait_ready(api_url)
    return {"cycle": cycle, "events": events}


def test_a_killed_worker_is_restarted_and_its_step_requeued_when_the_lease_runs_out(
    stack: tuple[FeragUp, str],
) -> None:
    healed = kill_mid_step(stack, "worker", "index")

    requeued = [e for e in healed["events"] if e["data"].get("requeued")]
    assert [e["step"] for e in requeued] == ["index"]
    assert "back on the queue" in requeued[0]["message"]
    stop(stack[0])


def test_a_killed_triple_store_is_restarted_and_the_cycle_finishes(
    stack: tuple[FeragUp, str],
) -> None:
    kill_mid_step(stack, "store", "to_rdf")
    stop(stack[0])


def test_a_killed_redis_is_restarted_and_the_cycle_finishes(
    stack: tuple[FeragUp, str],
) -> None:
    kill_mid_step(stack, "redis", "index")
    stop(stack[0])
