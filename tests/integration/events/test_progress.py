"""ProgressReporter: the events a step produces, their throttling and the ETA, as a client
reads them over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from redis import Redis

from ferag.events.progress import ProgressReporter
from ferag.settings import Settings
from graphrag_lib.progress import ProgressCallback
from tests.factories import Account, create_rag, create_task, session_factory


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def task_id(client: httpx.Client, settings: Settings, owner: Account) -> uuid.UUID:
    return create_task(settings.require("database_url"), create_rag(client, owner))


def reporter(settings: Settings, task_id: uuid.UUID, clock: Clock) -> ProgressReporter:
    return ProgressReporter(
        session_factory(settings.require("database_url")),
        Redis.from_url(settings.require("redis_url")),
        task_id,
        "index",
        min_interval_s=0.5,
        clock=clock,
    )


def events(client: httpx.Client, owner: Account, task_id: uuid.UUID) -> list[dict[str, Any]]:
    response = client.get(f"/tasks/{task_id}/events", headers=owner.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_a_step_reports_start_progress_with_eta_and_done(
    client: httpx.Client, settings: Settings, owner: Account, task_id: uuid.UUID
) -> None:
    clock = Clock()
    step = reporter(settings, task_id, clock)
    step.start("indexing 3 documents", {"documents": 3})
    clock.now += 10
    step.advance(5, 20, "chunk 5 of 20", {"workflow": "extract_graph"})
    clock.now += 10
    step.done({"entities": 42})

    started, advanced, finished = events(client, owner, task_id)
    assert (started["status"], started["message"]) == ("running", "indexing 3 documents")
    assert started["data"] == {"documents": 3}
    assert (advanced["status"], advanced["progress"]) == ("progress", 0.25)
    assert advanced["data"] == {
        "workflow": "extract_graph",
        "done": 5,
        "total": 20,
        "rate_per_s": 0.5,
        "eta_s": 30.0,
    }
    assert (finished["status"], finished["progress"]) == ("done", 1.0)
    assert finished["data"] == {"entities": 42, "elapsed_s": 20.0}


def test_advances_are_throttled_but_the_end_and_a_new_workflow_are_not(
    client: httpx.Client, settings: Settings, owner: Account, task_id: uuid.UUID
) -> None:
    clock = Clock()
    step = reporter(settings, task_id, clock)
    step.start()
    for done in range(1, 11):  # ten advances within 0.45 s
        clock.now += 0.045
        step.advance(done, 20, data={"workflow": "extract_graph"})
    clock.now += 0.01
    step.advance(11, 20, data={"workflow": "summarize_descriptions"})
    clock.now += 0.6
    step.advance(12, 20, data={"workflow": "summarize_descriptions"})
    step.advance(20, 20, data={"workflow": "summarize_descriptions"})

    progress = [e["data"]["done"] for e in events(client, owner, task_id)[1:]]
    assert progress == [1, 11, 12, 20]


def test_the_reporter_is_a_graphrag_lib_progress_callback(
    client: httpx.Client, settings: Settings, owner: Account, task_id: uuid.UUID
) -> None:
    callback: ProgressCallback = reporter(settings, task_id, Clock())
    callback(3, None, "3 text units so far", {"workflow": "create_base_text_units"})

    [event] = events(client, owner, task_id)
    assert (event["progress"], event["data"]["total"], event["data"]["eta_s"]) == (None, None, None)
    assert event["message"] == "3 text units so far"


def test_a_failure_carries_the_error(
    client: httpx.Client, settings: Settings, owner: Account, task_id: uuid.UUID
) -> None:
    step = reporter(settings, task_id, Clock())
    step.start()
    step.failed(TimeoutError("the model server did not answer in 600 s"))

    failed = events(client, owner, task_id)[-1]
    assert failed["status"] == "failed"
    assert failed["error"] == "TimeoutError: the model server did not answer in 600 s"
