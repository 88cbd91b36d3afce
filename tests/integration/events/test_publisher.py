"""publish_event: stored first with a gapless seq, then announced on Redis; Redis failures are
soft, database failures are not."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from redis import Redis

from ferag.errors import NotFound
from ferag.events.publisher import publish_event
from ferag.settings import Settings
from tests.factories import create_account, create_rag, create_task, session_factory


@pytest.fixture()
def redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.require("redis_url"))


def test_concurrent_publishers_get_a_gapless_ordered_seq(
    client: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner = create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    factory = session_factory(settings.require("database_url"))

    def publish(n: int) -> int:
        return publish_event(factory, redis, task_id, f"step{n % 4}", "progress", data={"n": n}).seq

    with ThreadPoolExecutor(8) as pool:
        returned = list(pool.map(publish, range(120)))

    assert sorted(returned) == list(range(1, 121))
    events = client.get(
        f"/tasks/{task_id}/events", params={"limit": 1000}, headers=owner.headers
    ).json()
    assert [e["seq"] for e in events["data"]] == list(range(1, 121))
    timestamps = [e["ts"] for e in events["data"]]
    assert timestamps == sorted(timestamps), "ts follows seq"
    assert events["last_seq"] == 120 and events["count"] == 120


def test_the_event_is_announced_on_the_task_channel_after_it_is_stored(
    client: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner = create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    pubsub = redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
    pubsub.subscribe(f"task:{task_id}")
    pubsub.get_message(timeout=1)  # the subscribe confirmation

    event = publish_event(
        session_factory(settings.require("database_url")),
        redis,
        task_id,
        "index",
        "running",
        message="indexing",
        data={"workflow": "extract_graph"},
    )

    message = pubsub.get_message(timeout=5)
    pubsub.close()
    assert message is not None
    announced = json.loads(message["data"])
    assert announced == json.loads(event.model_dump_json())
    assert announced["seq"] == 1 and announced["data"] == {"workflow": "extract_graph"}
    stored = client.get(f"/tasks/{task_id}/events", headers=owner.headers).json()["data"]
    assert stored == [announced]


def test_pipeline_events_set_the_task_status(
    client: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    task_id = create_task(settings.require("database_url"), rag_id)
    factory = session_factory(settings.require("database_url"))

    def status() -> tuple[str, bool]:
        task = client.get(f"/tasks/{task_id}", headers=owner.headers).json()
        return task["status"], task["is_finished"]

    assert status() == ("queued", False)
    publish_event(factory, redis, task_id, "pipeline", "running")
    publish_event(factory, redis, task_id, "index", "failed", error="boom")
    assert status() == ("running", False), "only the pipeline step sets the task status"
    publish_event(factory, redis, task_id, "pipeline", "progress", progress=0.5)
    assert status() == ("running", False)
    publish_event(factory, redis, task_id, "pipeline", "failed", error="index failed")
    assert status() == ("failed", True)


def test_redis_down_is_logged_not_raised_and_the_event_is_kept(
    client: httpx.Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    owner = create_account(client)
    task_id = create_task(settings.require("database_url"), create_rag(client, owner))
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)

    event = publish_event(
        session_factory(settings.require("database_url")), unreachable, task_id, "index", "done"
    )

    assert event.seq == 1
    assert "stored but not published" in caplog.text
    stored = client.get(f"/tasks/{task_id}/events", headers=owner.headers).json()["data"]
    assert [(e["seq"], e["step"], e["status"]) for e in stored] == [(1, "index", "done")]


def test_an_unknown_task_or_a_bad_event_is_refused(settings: Settings, redis: Redis) -> None:
    factory = session_factory(settings.require("database_url"))
    with pytest.raises(NotFound):
        publish_event(factory, redis, uuid.uuid4(), "index", "running")
    with pytest.raises(ValueError, match="TaskStatus"):
        publish_event(factory, redis, uuid.uuid4(), "index", "sleeping")
    with pytest.raises(ValueError, match="progress"):
        publish_event(factory, redis, uuid.uuid4(), "index", "progress", progress=1.5)
