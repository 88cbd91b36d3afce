"""GET /tasks/{id}, GET /tasks/{id}/events and POST /tasks/{id}/ticket over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from redis import Redis

from ferag.events.publisher import publish_event
from ferag.settings import Settings
from tests.factories import Account, add_member, create_account, create_rag, create_task
from tests.factories import session_factory as factory_for


@pytest.fixture()
def redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.require("redis_url"))


def run_pipeline(settings: Settings, redis: Redis, task_id: uuid.UUID) -> None:
    factory = factory_for(settings.require("database_url"))
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("pipeline", "running", {}),
        ("index", "running", {"message": "indexing"}),
        ("index", "progress", {"progress": 0.5, "data": {"workflow": "extract_graph"}}),
        ("index", "done", {"progress": 1.0}),
        ("to_rdf", "running", {}),
        ("to_rdf", "failed", {"error": "store unavailable"}),
        ("pipeline", "failed", {"error": "to_rdf failed"}),
    ]
    for step, status, extra in steps:
        publish_event(factory, redis, task_id, step, status, **extra)


def test_read_task_shows_status_and_latest_event_per_step(
    client: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    task_id = create_task(settings.require("database_url"), rag_id)
    fresh = client.get(f"/tasks/{task_id}", headers=owner.headers).json()
    assert (fresh["status"], fresh["last_seq"], fresh["steps"]) == ("queued", 0, {})

    run_pipeline(settings, redis, task_id)
    task = client.get(f"/tasks/{task_id}", headers=owner.headers).json()

    assert task["id"] == str(task_id) and task["rag_id"] == rag_id
    assert (task["status"], task["is_finished"], task["last_seq"]) == ("failed", True, 7)
    assert list(task["steps"]) == ["index", "to_rdf", "pipeline"]
    assert task["steps"]["index"]["status"] == "done"
    assert task["steps"]["index"]["seq"] == 4
    assert task["steps"]["to_rdf"]["error"] == "store unavailable"
    assert task["steps"]["pipeline"]["error"] == "to_rdf failed"


def test_events_page_after_a_seq(client: httpx.Client, settings: Settings, redis: Redis) -> None:
    owner = create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    run_pipeline(settings, redis, task_id)

    def page(after: int, limit: int) -> dict[str, Any]:
        response = client.get(
            f"/tasks/{task_id}/events",
            params={"after": after, "limit": limit},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    first = page(0, 3)
    assert [e["seq"] for e in first["data"]] == [1, 2, 3]
    rest = page(3, 100)
    assert [e["seq"] for e in rest["data"]] == [4, 5, 6, 7]
    assert (rest["last_seq"], rest["status"], rest["is_finished"]) == (7, "failed", True)
    assert page(7, 100)["data"] == []
    progress = first["data"][2]
    assert progress["progress"] == 0.5 and progress["data"] == {"workflow": "extract_graph"}
    assert set(progress) == {
        "task_id",
        "cycle_id",
        "seq",
        "ts",
        "step",
        "status",
        "progress",
        "message",
        "data",
        "error",
    }


@pytest.mark.parametrize("params", [{"after": -1}, {"limit": 0}, {"limit": 1001}])
def test_bad_paging_is_a_validation_error(
    client: httpx.Client, settings: Settings, params: dict[str, int]
) -> None:
    owner = create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    response = client.get(f"/tasks/{task_id}/events", params=params, headers=owner.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_a_missing_task_and_a_foreign_task_look_the_same(
    client: httpx.Client, settings: Settings
) -> None:
    owner, stranger = create_account(client), create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    for path in (f"/tasks/{task_id}", f"/tasks/{uuid.uuid4()}"):
        response = client.get(path, headers=stranger.headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "task_not_found"
    assert client.get("/tasks/not-a-uuid", headers=owner.headers).status_code == 422


def test_a_ticket_is_single_use_and_bound_to_user_and_task(
    client: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, viewer = create_account(client), create_account(client)
    rag_id = create_rag(client, owner)
    add_member(client, owner, rag_id, viewer, "viewer")
    task_id = create_task(settings.require("database_url"), rag_id)

    issued = ticket_for(client, viewer, task_id)
    assert issued["expires_in"] == settings.ws_ticket_ttl_s
    assert issued["url"] == f"/ws/tasks/{task_id}?ticket={issued['ticket']}"
    assert issued["ticket"] != ticket_for(client, viewer, task_id)["ticket"]
    stored = [key.decode() for key in redis.scan_iter(match="ferag:ws-ticket:*")]
    assert all(issued["ticket"] not in key for key in stored), "only a hash is stored"


def ticket_for(client: httpx.Client, who: Account, task_id: uuid.UUID) -> dict[str, Any]:
    response = client.post(f"/tasks/{task_id}/ticket", headers=who.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
