"""WS /ws/tasks/{task_id}: authentication, access, ordered live delivery through a real worker,
replay from a seq, late subscribers, heartbeats and 200 concurrent subscribers."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery
from redis import Redis
from websockets.asyncio.client import ClientConnection, connect

from ferag.events.publisher import publish_event
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import Account, add_member, create_account, create_rag, create_task
from tests.factories import session_factory as factory_for
from tests.prometheus_text import scrape, total
from tests.workers import WorkerProcess
from tests.wsclient import Received, follow, open_socket, read_all, send_quietly, ws_url

AUTH_TIMEOUT_S = 0.5
HEARTBEAT_S = 0.3
SELFTEST_STEPS = ["index", "to_rdf", "schema"]
CHUNKS = 4
# pipeline: running, one advance per step, done; each step: running, CHUNKS advances, done
SELFTEST_EVENTS = (2 + len(SELFTEST_STEPS)) + len(SELFTEST_STEPS) * (2 + CHUNKS)


@pytest.fixture(scope="module")
def ws_api(settings: Settings) -> Iterator[str]:
    """An API with short authentication and heartbeat periods, sharing the test stack."""
    from ferag.api.app import create_app

    quick = settings.model_copy(
        update={"ws_auth_timeout_s": AUTH_TIMEOUT_S, "ws_heartbeat_s": HEARTBEAT_S}
    )
    with ThreadedServer(create_app(quick)) as server:
        yield server.url


@pytest.fixture(scope="module")
def patient_api(settings: Settings) -> Iterator[str]:
    """An API with a long authentication period: hundreds of sockets opening at once on a loaded
    machine may each wait longer than ``AUTH_TIMEOUT_S`` for the server to read their token."""
    from ferag.api.app import create_app

    patient = settings.model_copy(update={"ws_auth_timeout_s": 60.0})
    with ThreadedServer(create_app(patient)) as server:
        yield server.url


@pytest.fixture(scope="module")
def http(ws_api: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ws_api, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def celery(settings: Settings) -> Iterator[Celery]:
    client = Celery("ferag-tests", broker=settings.require("redis_url"))
    yield client
    client.close()


@pytest.fixture()
def redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.require("redis_url"))


def start_selftest(celery: Celery, task_id: uuid.UUID, **options: Any) -> None:
    kwargs = {"steps": SELFTEST_STEPS, "chunks": CHUNKS, "delay_s": 0.02, **options}
    celery.send_task("ferag.selftest.run", args=[str(task_id)], kwargs=kwargs, queue="ferag")


def publish_run(settings: Settings, redis: Redis, task_id: uuid.UUID, *, end: bool = True) -> int:
    """A short finished pipeline written directly; returns the last seq."""
    factory = factory_for(settings.require("database_url"))
    steps = [("pipeline", "running"), ("index", "running"), ("index", "done")]
    steps += [("to_rdf", "running"), ("to_rdf", "done")]
    if end:
        steps.append(("pipeline", "done"))
    for step, status in steps:
        last = publish_event(factory, redis, task_id, step, status).seq
    return last


def new_task(http: httpx.Client, settings: Settings) -> tuple[Account, uuid.UUID]:
    owner = create_account(http)
    return owner, create_task(settings.require("database_url"), create_rag(http, owner))


def ticket(http: httpx.Client, who: Account, task_id: uuid.UUID) -> str:
    response = http.post(f"/tasks/{task_id}/ticket", headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["ticket"])


async def follow_while(
    ws_api: str, task_id: uuid.UUID, token: str, start: Any, *, count: int = 1
) -> list[Received]:
    """Open ``count`` sockets, call ``start`` once every one is subscribed, read them all."""
    ready = asyncio.Event()
    subscribed = 0

    def on_ready() -> None:
        nonlocal subscribed
        subscribed += 1
        if subscribed == count:
            ready.set()

    readers = [
        asyncio.create_task(follow(ws_api, task_id, token=token, on_ready=on_ready))
        for _ in range(count)
    ]
    waiting = asyncio.create_task(ready.wait())
    # a socket the server closed before it was ready ends the wait with its reason, not a timeout
    done, _ = await asyncio.wait([waiting, *readers], timeout=180, return_when="FIRST_COMPLETED")
    early = [reader.result() for reader in readers if reader in done]
    assert not early, f"closed before ready: {early[0].close_code} {early[0].close_reason}"
    assert waiting in done, f"{subscribed} of {count} sockets ready after 180 s"
    await asyncio.to_thread(start)
    return await asyncio.wait_for(asyncio.gather(*readers), 120)


# --- live delivery, replay, late subscribers ---------------------------------------------------


def test_a_worker_run_arrives_live_in_order_and_ends_the_socket(
    ws_api: str,
    http: httpx.Client,
    settings: Settings,
    celery: Celery,
    worker: WorkerProcess,
) -> None:
    owner, task_id = new_task(http, settings)

    [received] = asyncio.run(
        follow_while(ws_api, task_id, owner.token, lambda: start_selftest(celery, task_id))
    )

    assert received.seqs == list(range(1, SELFTEST_EVENTS + 1))
    assert (received.close_code, received.close_reason) == (1000, "the task has ended")
    last = received.events[-1]
    assert (last["step"], last["status"]) == ("pipeline", "done")
    steps = [e["step"] for e in received.events if e["step"] != "pipeline"]
    assert list(dict.fromkeys(steps)) == SELFTEST_STEPS
    chunk = next(e for e in received.events if e["step"] == "to_rdf" and e["status"] == "progress")
    assert chunk["data"]["workflow"] == "selftest_to_rdf"
    assert (chunk["data"]["done"], chunk["data"]["total"]) == (1, CHUNKS)
    assert chunk["progress"] == pytest.approx(1 / CHUNKS)
    assert chunk["data"]["eta_s"] >= 0 and chunk["data"]["rate_per_s"] > 0
    assert received.of_type("ready") == [{"type": "ready", "task_id": str(task_id), "after": 0}]


def test_a_failing_run_ends_the_socket_with_the_failure(
    ws_api: str,
    http: httpx.Client,
    settings: Settings,
    celery: Celery,
    worker: WorkerProcess,
) -> None:
    owner, task_id = new_task(http, settings)

    [received] = asyncio.run(
        follow_while(
            ws_api,
            task_id,
            owner.token,
            lambda: start_selftest(celery, task_id, fail_step="to_rdf"),
        )
    )

    assert received.seqs == list(range(1, len(received.events) + 1))
    assert received.close_code == 1000
    failed = [(e["step"], e["status"]) for e in received.events if e["status"] == "failed"]
    assert failed == [("to_rdf", "failed"), ("pipeline", "failed")]
    assert "schema" not in {e["step"] for e in received.events}
    assert http.get(f"/tasks/{task_id}", headers=owner.headers).json()["status"] == "failed"


def test_replay_after_a_seq_and_a_late_subscriber(
    ws_api: str, http: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, task_id = new_task(http, settings)
    last = publish_run(settings, redis, task_id)

    late = asyncio.run(follow(ws_api, task_id, token=owner.token))
    assert late.seqs == list(range(1, last + 1))
    assert (late.events[-1]["step"], late.events[-1]["status"]) == ("pipeline", "done")
    assert late.close_code == 1000

    resumed = asyncio.run(follow(ws_api, task_id, token=owner.token, after=3))
    assert resumed.seqs == list(range(4, last + 1)) and resumed.close_code == 1000

    caught_up = asyncio.run(follow(ws_api, task_id, token=owner.token, after=last))
    assert caught_up.seqs == [] and caught_up.close_code == 1000, "the end was already seen"


def test_replay_then_live_without_gaps_or_repeats(
    ws_api: str, http: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, task_id = new_task(http, settings)
    factory = factory_for(settings.require("database_url"))
    publish_run(settings, redis, task_id, end=False)

    def finish() -> None:
        for n in range(20):
            publish_event(factory, redis, task_id, "merge", "progress", data={"n": n})
        publish_event(factory, redis, task_id, "pipeline", "done")

    [received] = asyncio.run(follow_while(ws_api, task_id, owner.token, finish))
    assert received.seqs == list(range(1, 5 + 20 + 2))
    assert received.close_code == 1000


def test_heartbeats_while_nothing_happens(
    ws_api: str, http: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, task_id = new_task(http, settings)
    factory = factory_for(settings.require("database_url"))
    publish_event(factory, redis, task_id, "pipeline", "running")

    async def scenario() -> Received:
        socket = await open_socket(ws_api, task_id, token=owner.token)
        reader = asyncio.create_task(read_all(socket))
        await asyncio.sleep(HEARTBEAT_S * 3.5)
        await asyncio.to_thread(publish_event, factory, redis, task_id, "pipeline", "cancelled")
        return await asyncio.wait_for(reader, 30)

    received = asyncio.run(scenario())
    beats = received.of_type("heartbeat")
    assert len(beats) >= 2
    assert all(isinstance(beat["ts"], str) and beat["ts"] for beat in beats)
    assert [e["status"] for e in received.events] == ["running", "cancelled"]
    assert received.close_code == 1000


def test_200_concurrent_subscribers_each_get_every_event_once(
    patient_api: str,
    http: httpx.Client,
    settings: Settings,
    celery: Celery,
    worker: WorkerProcess,
) -> None:
    owner, task_id = new_task(http, settings)

    everyone = asyncio.run(
        follow_while(
            patient_api, task_id, owner.token, lambda: start_selftest(celery, task_id), count=200
        )
    )

    expected = list(range(1, SELFTEST_EVENTS + 1))
    assert len(everyone) == 200
    for received in everyone:
        assert received.seqs == expected
        assert received.close_code == 1000


@pytest.fixture(scope="module", params=["websockets-sansio", "websockets"])
def api_per_protocol(request: pytest.FixtureRequest, settings: Settings) -> Iterator[str]:
    """The API under each of uvicorn's WebSocket protocols: one waits for a full buffer before
    it writes, the other after."""
    from ferag.api.app import create_app

    with ThreadedServer(create_app(settings), ws=request.param) as server:
        yield server.url


async def open_stalled_socket(api_url: str, task_id: uuid.UUID, token: str) -> ClientConnection:
    """A socket whose client reads up to the replayed first event and then nothing until asked:
    a tiny receive buffer, and a client that stops reading from the network once one message
    waits unread."""
    host, port = api_url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
    stalled = await connect(
        ws_url(api_url, task_id), sock=raw, max_queue=1, ping_interval=None, open_timeout=30
    )
    await stalled.send(json.dumps({"type": "auth", "token": token}))
    assert await next_seqs(stalled, 1) == [1]
    return stalled


def burst_beyond_send_buffers(event_bytes: int) -> int:
    """How many events of ``event_bytes`` overflow what the kernel may buffer for one socket
    (its largest send buffer, ``tcp_wmem``'s maximum: on loopback it grows to megabytes), so
    that the server has to wait for a client that does not read."""
    largest = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    return (largest + 2**20) // event_bytes + 1


async def next_seqs(connection: ClientConnection, count: int) -> list[int]:
    """The ``seq`` of the next ``count`` events a socket receives (other messages skipped)."""
    seqs: list[int] = []
    while len(seqs) < count:
        message = json.loads(await connection.recv())
        if message["type"] == "event":
            seqs.append(message["seq"])
    return seqs


class Burst:
    """A running task, and more padded events than one socket's buffers hold, published at
    once; ``everything`` is every ``seq`` up to the ``done`` that ``finish`` publishes."""

    def __init__(self, settings: Settings, redis: Redis, task_id: uuid.UUID) -> None:
        self.factory = factory_for(settings.require("database_url"))
        self.redis = redis
        self.task_id = task_id
        self.padding = base64.b64encode(os.urandom(45_000)).decode()  # 60,000 characters,
        self.count = burst_beyond_send_buffers(len(self.padding))  # incompressible
        self.everything = list(range(1, self.count + 3))  # running, the padded events, done
        self._publish("pipeline", "running")

    def publish(self) -> None:
        for n in range(self.count):
            self._publish("index", "progress", data={"n": n, "p": self.padding})

    def finish(self) -> None:
        self._publish("pipeline", "done")

    def _publish(self, step: str, status: str, **options: Any) -> None:
        publish_event(self.factory, self.redis, self.task_id, step, status, **options)


async def stall_one_socket(api_url: str, burst: Burst, token: str) -> ClientConnection:
    """Open a stalled socket and a reading one, publish the burst; the reading one must get it
    all while the stalled one reads nothing, and is then read to its end."""
    stalled = await open_stalled_socket(api_url, burst.task_id, token)
    reader = await open_socket(api_url, burst.task_id, token=token)
    prompt = await next_seqs(reader, 1)
    await asyncio.to_thread(burst.publish)
    try:
        prompt += await asyncio.wait_for(next_seqs(reader, burst.count), 60)
    except TimeoutError:
        raise AssertionError("a client that reads was held up by one that does not") from None
    await asyncio.to_thread(burst.finish)
    rest = await asyncio.wait_for(read_all(reader), 60)
    assert prompt + rest.seqs == burst.everything and rest.close_code == 1000
    return stalled


def metric(api_url: str, name: str) -> float:
    return total(scrape(f"{api_url}/metrics"), name)


def test_a_client_that_stops_reading_holds_up_no_one_and_misses_nothing(
    api_per_protocol: str, http: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, task_id = new_task(http, settings)
    burst = Burst(settings, redis, task_id)
    waited_before = metric(api_per_protocol, "ferag_ws_waited_sends_total")

    async def scenario() -> Received:
        stalled = await stall_one_socket(api_per_protocol, burst, owner.token)
        return await asyncio.wait_for(read_all(stalled), 60)

    late = asyncio.run(scenario())

    assert [1, *late.seqs] == burst.everything, "the stalled socket gets every event once, in order"
    assert late.close_code == 1000
    assert metric(api_per_protocol, "ferag_ws_waited_sends_total") > waited_before, (
        "the stalled socket's buffer filled up"
    )


def test_a_stalled_client_that_goes_away_is_let_go(
    api_per_protocol: str, http: httpx.Client, settings: Settings, redis: Redis
) -> None:
    owner, task_id = new_task(http, settings)
    burst = Burst(settings, redis, task_id)
    followed_before = metric(api_per_protocol, "ferag_ws_subscribers")

    async def scenario() -> None:
        stalled = await stall_one_socket(api_per_protocol, burst, owner.token)
        stalled.transport.abort()  # gone without a close frame, its send still waiting

    asyncio.run(scenario())

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        followed = metric(api_per_protocol, "ferag_ws_subscribers")
        if followed == followed_before:
            break
        time.sleep(0.1)
    assert followed == followed_before, "the server still follows the task for the lost socket"


# --- authentication and access ------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene(http: httpx.Client, settings: Settings) -> tuple[dict[str, Account], uuid.UUID]:
    """A finished task on a RAG with an owner, an editor, a viewer, and an outsider."""
    people = {name: create_account(http) for name in ("owner", "editor", "viewer", "non_member")}
    rag_id = create_rag(http, people["owner"])
    for role in ("editor", "viewer"):
        add_member(http, people["owner"], rag_id, people[role], role)
    task_id = create_task(settings.require("database_url"), rag_id)
    publish_run(settings, Redis.from_url(settings.require("redis_url")), task_id)
    return people, task_id


@pytest.mark.parametrize("caller", ["owner", "editor", "viewer", "non_member", "anonymous"])
def test_every_kind_of_caller(
    ws_api: str, scene: tuple[dict[str, Account], uuid.UUID], caller: str
) -> None:
    people, task_id = scene
    token = people[caller].token if caller in people else None

    received = asyncio.run(follow(ws_api, task_id, token=token))

    if caller in ("owner", "editor", "viewer"):
        assert received.seqs == [1, 2, 3, 4, 5, 6] and received.close_code == 1000
        return
    assert received.events == [] and received.of_type("ready") == []
    if caller == "non_member":
        assert received.close_code == 4404
        assert received.close_reason == "no such task, or you are not a member"
    else:
        assert received.close_code == 4401
        assert '"auth"' in received.close_reason and "ticket" in received.close_reason


def test_a_ticket_opens_one_socket_once(
    ws_api: str, http: httpx.Client, scene: tuple[dict[str, Account], uuid.UUID]
) -> None:
    people, task_id = scene
    single = ticket(http, people["viewer"], task_id)

    first = asyncio.run(follow(ws_api, task_id, ticket=single))
    again = asyncio.run(follow(ws_api, task_id, ticket=single))

    assert first.seqs == [1, 2, 3, 4, 5, 6] and first.close_code == 1000
    assert again.close_code == 4401 and "used" in again.close_reason and again.events == []


def test_a_ticket_works_only_for_its_task(
    ws_api: str, http: httpx.Client, settings: Settings, scene: tuple[dict[str, Account], uuid.UUID]
) -> None:
    people, task_id = scene
    _, other_task = new_task(http, settings)
    received = asyncio.run(
        follow(ws_api, other_task, ticket=ticket(http, people["owner"], task_id))
    )
    assert received.close_code == 4401 and received.events == []


@pytest.mark.parametrize(
    ("path_task", "params", "first_message", "code", "reason_part"),
    [
        ("scene", {"ticket": "forged"}, None, 4401, "invalid, expired or used"),
        ("scene", {"token": "owner"}, None, 4401, "not put the access token in the URL"),
        ("scene", {"after": "-1"}, "owner", 4400, "after"),
        ("scene", {"after": "x"}, "owner", 4400, "after"),
        ("scene", {"after": str(2**31)}, "owner", 4400, "after"),
        ("scene", {}, "garbage", 4401, '"auth"'),
        ("scene", {}, "bad-token", 4401, "invalid"),
        ("unknown", {}, "owner", 4404, "no such task"),
        ("not-a-uuid", {}, "owner", 4404, "no such task"),
    ],
)
def test_refusals_carry_a_code_and_a_reason(
    ws_api: str,
    scene: tuple[dict[str, Account], uuid.UUID],
    path_task: str,
    params: dict[str, str],
    first_message: str | None,
    code: int,
    reason_part: str,
) -> None:
    people, task_id = scene
    target = {"scene": str(task_id), "unknown": str(uuid.uuid4())}.get(path_task, path_task)
    if params.get("token") == "owner":
        params = {"token": people["owner"].token}

    async def scenario() -> Received:
        socket = await connect(ws_url(ws_api, target, **params), ping_interval=None)
        messages = {
            "owner": json.dumps({"type": "auth", "token": people["owner"].token}),
            "garbage": "hello",
            "bad-token": json.dumps({"type": "auth", "token": "not.a.jwt"}),
        }
        if first_message is not None:
            await send_quietly(socket, messages[first_message])
        return await read_all(socket)

    received = asyncio.run(scenario())
    assert received.close_code == code
    assert reason_part in received.close_reason
    assert received.events == []
