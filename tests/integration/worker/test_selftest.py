"""ferag.selftest.run on a real worker, followed the way a client without WebSockets does:
polling GET /tasks/{id}/events?after=<seq> until the task is finished."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from celery import Celery

from ferag.settings import Settings
from tests.factories import create_account, create_rag, create_task
from tests.workers import WorkerProcess


@pytest.fixture(scope="module")
def celery(settings: Settings) -> Iterator[Celery]:
    client = Celery("ferag-tests", broker=settings.require("redis_url"))
    yield client
    client.close()


def poll_until_finished(client: httpx.Client, task_id: str, headers: dict[str, str]) -> list[Any]:
    events: list[Any] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = events[-1]["seq"] if events else 0
        page = client.get(
            f"/tasks/{task_id}/events", params={"after": after, "limit": 5}, headers=headers
        ).json()
        events.extend(page["data"])
        if page["is_finished"] and not page["data"]:
            return events
        if not page["data"]:
            time.sleep(0.1)
    raise AssertionError("the self-test did not finish")


def test_polling_follows_a_selftest_run_to_its_end(
    client: httpx.Client,
    settings: Settings,
    celery: Celery,
    worker: WorkerProcess,
) -> None:
    owner = create_account(client)
    task_id = str(create_task(settings.require("database_url"), create_rag(client, owner)))
    celery.send_task(
        "ferag.selftest.run",
        args=[task_id],
        kwargs={"steps": ["index", "merge"], "chunks": 3, "delay_s": 0.05},
        queue="ferag",
    )

    events = poll_until_finished(client, task_id, owner.headers)

    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [(e["step"], e["status"]) for e in events if e["status"] != "progress"] == [
        ("pipeline", "running"),
        ("index", "running"),
        ("index", "done"),
        ("merge", "running"),
        ("merge", "done"),
        ("pipeline", "done"),
    ]
    chunks = [
        e["data"]["done"] for e in events if e["step"] == "merge" and e["status"] == "progress"
    ]
    assert chunks == [1, 2, 3]
    task = client.get(f"/tasks/{task_id}", headers=owner.headers).json()
    assert (task["status"], task["is_finished"], task["last_seq"]) == ("done", True, len(events))
