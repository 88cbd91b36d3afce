"""Redis going away and coming back during a run: the API keeps serving, publishing keeps
storing, sockets keep receiving (from the database meanwhile), and no event is lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis import Redis

from ferag.events.publisher import publish_event
from ferag.settings import Settings
from ferag.stack import servers
from ferag.stack.threaded import ThreadedServer
from tests.factories import create_account, create_rag, create_task
from tests.factories import session_factory as factory_for
from tests.wsclient import Received, open_socket, read_all


class RestartableRedis:
    """A Redis of this test's own on a fixed port, so it can come back where it was."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = servers.free_port()
        self.server = self._start()

    def _start(self) -> servers.Server:
        return servers.start_redis(self.home / "data", self.home / "redis.log", self.port)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def restart(self) -> None:
        self.server = self._start()


@pytest.fixture()
def own_redis(tmp_path: Path) -> Iterator[RestartableRedis]:
    redis = RestartableRedis(tmp_path)
    yield redis
    redis.stop()


async def follow_reconnecting(
    api_url: str, task_id: uuid.UUID, token: str, received: Received, ready: asyncio.Event
) -> Received:
    """Read to the end, reconnecting from the last seq whenever the socket drops early."""
    while True:
        after = received.seqs[-1] if received.events else 0
        socket = await open_socket(api_url, task_id, token=token, after=after)
        await read_all(socket, received, on_ready=ready.set)
        if received.close_code == 1000:
            return received
        await asyncio.sleep(0.2)


async def until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_redis_restart_during_a_run_loses_no_event(
    settings: Settings, own_redis: RestartableRedis
) -> None:
    from ferag.api.app import create_app

    local = settings.model_copy(
        update={
            "redis_url": own_redis.url,
            "events_poll_interval_s": 0.2,
            "events_reconnect_max_s": 0.5,
        }
    )
    app = create_app(local)
    with ThreadedServer(app) as api, httpx.Client(base_url=api.url, timeout=30) as http:
        owner = create_account(http)
        task_id = create_task(settings.require("database_url"), create_rag(http, owner))
        scenario = RestartScenario(app, api.url, http, own_redis, settings, task_id, owner.token)
        first, second = asyncio.run(scenario.run())

    total = scenario.published
    assert first.seqs == list(range(1, total + 1)), "the early subscriber got every event once"
    assert second.seqs == list(range(1, total + 1)), "a subscriber joining during the outage too"
    assert first.close_code == second.close_code == 1000
    assert all(first.arrival[seq] < scenario.restarted_at for seq in scenario.during_outage), (
        "events published while Redis was down arrived before it came back"
    )


class RestartScenario:
    def __init__(
        self,
        app: FastAPI,
        api_url: str,
        http: httpx.Client,
        redis: RestartableRedis,
        settings: Settings,
        task_id: uuid.UUID,
        token: str,
    ) -> None:
        self.app, self.api_url, self.http, self.redis = app, api_url, http, redis
        self.factory = factory_for(settings.require("database_url"))
        self.publisher_redis = Redis.from_url(redis.url, socket_connect_timeout=2, socket_timeout=2)
        self.task_id, self.token = task_id, token
        self.published = 0
        self.during_outage: list[int] = []
        self.restarted_at = 0.0

    def publish(self, step: str, status: str, count: int = 1) -> list[int]:
        seqs = []
        for n in range(count):
            event = publish_event(
                self.factory, self.publisher_redis, self.task_id, step, status, data={"n": n}
            )
            seqs.append(event.seq)
        self.published = seqs[-1]
        return seqs

    def follower(self, received: Received, ready: asyncio.Event) -> asyncio.Task[Received]:
        return asyncio.create_task(
            follow_reconnecting(self.api_url, self.task_id, self.token, received, ready)
        )

    async def run(self) -> tuple[Received, Received]:
        first, first_ready = Received(), asyncio.Event()
        first_reader = self.follower(first, first_ready)
        await asyncio.wait_for(first_ready.wait(), 20)
        await asyncio.to_thread(self.publish, "pipeline", "running")
        await asyncio.to_thread(self.publish, "index", "progress", 4)
        await until(lambda: len(first.events) == 5)

        await asyncio.to_thread(self.redis.stop)
        await until(lambda: not self.app.state.hub.is_connected)
        self.during_outage = await asyncio.to_thread(self.publish, "index", "progress", 5)
        status = await asyncio.to_thread(self.http.get, f"/tasks/{self.task_id}", headers=self.auth)
        assert status.status_code == 200 and status.json()["last_seq"] == self.published
        second, second_ready = Received(), asyncio.Event()
        second_reader = self.follower(second, second_ready)
        await until(lambda: len(first.events) == len(second.events) == self.published)

        self.restarted_at = time.monotonic()
        await asyncio.to_thread(self.redis.restart)
        await until(lambda: self.app.state.hub.is_connected)
        await asyncio.to_thread(self.publish, "to_rdf", "progress", 5)
        await asyncio.to_thread(self.publish, "pipeline", "done")
        return await asyncio.wait_for(asyncio.gather(first_reader, second_reader), 30)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}
