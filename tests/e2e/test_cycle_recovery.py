"""A cycle survives its worker: a killed worker's step is redone by the next worker without
duplicate data, and a failed step is retried through the API without repeating finished steps.

Each test runs its own API and workers on a Redis database of its own, so the session's shared
worker does not pick up its cycles.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from redis import Redis

from ferag.queueing import make_celery
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import store_from_settings
from graphrag_lib.vocab import RagIris
from tests.e2e.test_update_cycle import PREFIXES, staged, upload, wait_for_cycle
from tests.factories import Account, create_account, create_rag
from tests.fixtures.documents import corpus_zip
from tests.fixtures.stalled_model import StalledModel
from tests.workers import start_worker

pytestmark = pytest.mark.slow


@pytest.fixture()
def isolated(settings: Settings) -> Iterator[tuple[Settings, str]]:
    """Settings and an API that use a Redis database (broker queue) no other test uses."""
    from ferag.api.app import create_app

    own = settings.model_copy(update={"redis_url": f"{settings.require('redis_url')[:-1]}2"})
    Redis.from_url(own.require("redis_url")).flushdb()
    with ThreadedServer(create_app(own)) as server:
        yield own, server.url


def wait_for_event(
    http: httpx.Client, owner: Account, task_id: str, step: str, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = http.get(f"/tasks/{task_id}/events", headers=owner.headers).json()["data"]
        if any(e["step"] == step and e["status"] in ("running", "progress") for e in events):
            return
        time.sleep(0.2)
    raise AssertionError(f"step {step} never started")


def duplicated_labels(settings: Settings, rag_id: int, cycle_id: int) -> list[dict[str, Any]]:
    store = store_from_settings(settings)
    add = staged(RagIris(str(settings.base_iri), str(rag_id)), cycle_id, "add")
    rows = store.select(
        rag_id,
        PREFIXES
        + f"""
        SELECT ?label (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH {add} {{
            ?e a ferag:Entity ; rdfs:label ?label }} }}
        GROUP BY ?label HAVING (COUNT(DISTINCT ?e) > 1)""",
    )
    store.close()
    return rows


def count_rows(settings: Settings, table: str, cycle_id: int) -> int:
    engine = sa.create_engine(settings.require("database_url"))
    with engine.connect() as conn:
        n = conn.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE cycle_id = :c"),  # noqa: S608
            {"c": cycle_id},
        ).scalar_one()
    engine.dispose()
    return int(n)


def test_killed_worker_mid_step_the_next_worker_completes_the_cycle(
    isolated: tuple[Settings, str], client: httpx.Client, tmp_path: Path
) -> None:
    own, api = isolated
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    # The broker redelivers the dead worker's message soon, but the step's lease is still live
    # then (that copy stops): the lease reaper of the second worker puts the step back.
    fast_redelivery = {
        "FERAG_REDIS_URL": own.require("redis_url"),
        "FERAG_BROKER_VISIBILITY_TIMEOUT_S": "3",
        "FERAG_STEP_LEASE_S": "10",
        "FERAG_LEASE_REAPER_INTERVAL_S": "2",
    }
    first = start_worker(own, tmp_path / "first.log", **fast_redelivery)
    with httpx.Client(base_url=api, timeout=30) as http:
        accepted = upload(http, owner, rag_id, "corpus.zip", corpus_zip())
        wait_for_event(http, owner, accepted["task_id"], "index")
        time.sleep(2)  # well inside GraphRAG
        first.kill()
        second = start_worker(own, tmp_path / "second.log", **fast_redelivery)
        try:
            cycle = wait_for_cycle(http, owner, rag_id, accepted["cycle_id"])
        finally:
            second.stop()
        events = http.get(f"/tasks/{accepted['task_id']}/events", headers=owner.headers).json()
    assert cycle["status"] == "review", cycle["error"]
    assert count_rows(own, "documents", accepted["cycle_id"]) == accepted["documents"]
    # GraphRAG's tables and the RAG's indexing choices, once each (ferag.cycle.configs)
    assert count_rows(own, "cycle_artifacts", accepted["cycle_id"]) == 2
    assert duplicated_labels(own, rag_id, accepted["cycle_id"]) == []
    finished = [e for e in events["data"] if e["step"] == "pipeline" and e["status"] == "done"]
    assert len(finished) == 1


def test_a_failed_step_is_retried_through_the_api_without_repeating_finished_steps(
    isolated: tuple[Settings, str], client: httpx.Client, tmp_path: Path
) -> None:
    own, api = isolated
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    redis = {"FERAG_REDIS_URL": own.require("redis_url")}
    # The triple store is unreachable for this worker, and it does not retry: to_rdf fails.
    broken = start_worker(
        own,
        tmp_path / "broken.log",
        FERAG_STORE_URL="http://127.0.0.1:9",
        FERAG_STEP_MAX_RETRIES="0",
        **redis,
    )
    with httpx.Client(base_url=api, timeout=30) as http:
        accepted = upload(http, owner, rag_id, "corpus.zip", corpus_zip())
        failed = wait_for_cycle(http, owner, rag_id, accepted["cycle_id"])
        broken.stop()
        assert failed["status"] == "failed"
        assert failed["failed_step"] == "to_rdf"
        assert "triple store" in failed["error"]
        index_run = failed["steps"]["index"]
        assert index_run["status"] == "done"

        healthy = start_worker(own, tmp_path / "healthy.log", **redis)
        try:
            retried = http.post(
                f"/rags/{rag_id}/cycles/{accepted['cycle_id']}/retry", headers=owner.headers
            )
            assert retried.status_code == 202, retried.text
            cycle = wait_for_cycle(http, owner, rag_id, accepted["cycle_id"])
        finally:
            healthy.stop()
        again = http.post(
            f"/rags/{rag_id}/cycles/{accepted['cycle_id']}/retry", headers=owner.headers
        )
    assert cycle["status"] == "review", cycle["error"]
    assert cycle["steps"]["index"] == index_run  # not run again: same start and end
    assert cycle["steps"]["to_rdf"]["status"] == "done"
    assert again.status_code == 409 and again.json()["error"]["code"] == "cycle_not_failed"


def test_cancel_stops_a_running_cycle(
    isolated: tuple[Settings, str], client: httpx.Client, tmp_path: Path
) -> None:
    own, api = isolated
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    worker = start_worker(own, tmp_path / "worker.log", FERAG_REDIS_URL=own.require("redis_url"))
    try:
        with httpx.Client(base_url=api, timeout=30) as http:
            accepted = upload(http, owner, rag_id, "corpus.zip", corpus_zip())
            wait_for_event(http, owner, accepted["task_id"], "index")
            url = f"/rags/{rag_id}/cycles/{accepted['cycle_id']}"
            cancelled = http.post(f"{url}/cancel", headers=owner.headers)
            assert cancelled.status_code == 200, cancelled.text
            assert cancelled.json()["status"] == "cancelled"
            time.sleep(5)  # let the worker notice
            cycle = http.get(url, headers=owner.headers).json()
            events = http.get(f"/tasks/{accepted['task_id']}/events", headers=owner.headers).json()[
                "data"
            ]
            again = http.post(f"{url}/cancel", headers=owner.headers)
    finally:
        worker.stop()
    assert cycle["status"] == "cancelled"
    assert "to_rdf" not in cycle["steps"]
    pipeline = [e["status"] for e in events if e["step"] == "pipeline"]
    assert pipeline[-1] == "cancelled"
    assert not any(e["step"] not in ("pipeline", "index") for e in events)
    assert again.status_code == 409


@pytest.fixture()
def stalled_model() -> Iterator[tuple[StalledModel, str]]:
    """The model and its OpenAI-compatible base URL."""
    model = StalledModel()
    with ThreadedServer(model) as server:
        yield model, f"{server.url}/v1"
        model.release()


def active_tasks(settings: Settings, cycle_id: int) -> list[str]:
    """Celery ids of the cycle's steps running on a worker now."""
    inspector = make_celery(settings.require("redis_url")).control.inspect(timeout=2)
    running = [task for tasks in (inspector.active() or {}).values() for task in tasks]
    return [str(task["id"]) for task in running if task["args"] == [cycle_id]]


def revoked_tasks(settings: Settings) -> set[str]:
    inspector = make_celery(settings.require("redis_url")).control.inspect(timeout=2)
    return {task for tasks in (inspector.revoked() or {}).values() for task in tasks}


def test_deleting_a_rag_terminates_its_step_stuck_on_a_slow_model(
    isolated: tuple[Settings, str],
    client: httpx.Client,
    tmp_path: Path,
    stalled_model: tuple[StalledModel, str],
) -> None:
    """The model never answers, so the index step would wait until its time limit (hours by
    default); deleting the RAG terminates it at once, and nothing reaches the store."""
    own, api = isolated
    model, model_url = stalled_model
    owner = create_account(client)
    rag_id = create_rag(client, owner, "doomed")
    worker = start_worker(
        own,
        tmp_path / "worker.log",
        FERAG_REDIS_URL=own.require("redis_url"),
        FERAG_LLM_BASE_URL=model_url,
    )
    try:
        with httpx.Client(base_url=api, timeout=30) as http:
            # Text no other test uploads: the model's answers cannot come from the LLM cache.
            text = f"Report {uuid.uuid4()}: Anna Petrova audits Volga Freight in Samara.\n"
            accepted = upload(http, owner, rag_id, "report.txt", text.encode())
            deadline = time.monotonic() + 60
            while not model.requests:
                assert time.monotonic() < deadline, "no step called the model"
                time.sleep(0.2)
            running = active_tasks(own, accepted["cycle_id"])
            assert running, "the step waiting for the model is not running"

            deleted = http.delete(f"/rags/{rag_id}", headers=owner.headers)

        assert deleted.status_code == 204, deleted.text
        deadline = time.monotonic() + 20
        while active_tasks(own, accepted["cycle_id"]):
            assert time.monotonic() < deadline, "the stuck step kept running"
            time.sleep(0.2)
        assert set(running) <= revoked_tasks(own)
    finally:
        worker.stop()
    store = store_from_settings(own)
    prefix = f"{own.base_iri}rag/{rag_id}/"
    graphs = store.select(
        rag_id,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
    )
    store.close()
    assert graphs == []
