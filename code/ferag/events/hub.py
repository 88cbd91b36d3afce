"""One Redis pub/sub connection per API process, fanned out to its sockets in-process.

The hub pattern-subscribes to ``task:*`` and hands each event of a followed task to the
``Subscription`` of every socket following it, which sends it at once or queues it for the
socket's task (see ``Subscription``). (One subscription per process instead of
one per socket: publish→client p99 ≈26 ms rather than ≈80 ms at 1,000 sockets on the reference
machine.) The pattern subscription is always in place while Redis is reachable, so a socket that
registers and then reads the database misses nothing in between.

The database is the record, and the hub reads it to fill what Redis did not deliver: a poller
offers each followed task's events after the position of its slowest socket, every
``poll_interval_s`` while Redis is unreachable and every ``audit_interval_s`` while it is.
When Redis goes away the listener reconnects with back-off. Subscribers drop what they have
already sent, so an event offered twice still reaches a client once.

Metrics: ``ferag_ws_subscribers`` (subscriptions open in this process) and
``ferag_event_fanout_seconds``, observed once per event Redis delivers to a followed task (not
per socket, which would cost the fan-out): from the event's commit, by the database's clock, to
its hand-over to the sockets (sent, or queued for their tasks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from anyio import to_thread
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ferag import metrics
from ferag.events import history
from ferag.events.eager import start_eagerly
from ferag.events.schemas import (
    CHANNEL_PATTERN,
    TERMINAL_STATUSES,
    TaskEventPublic,
    WireEvent,
    heartbeat_message,
)
from ferag.settings import Settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 500

# Sends one text message to a socket.
Sender = Callable[[str], Coroutine[Any, Any, None]]


class Subscription:
    """One socket's view of a task: the events it has yet to send and the ``seq`` it has reached.

    Two ways out to the socket, never both at once:

    - **Sent now.** Once the socket is live (``go_live``) and its task waits for its next item
      with nothing queued, ``offer`` and ``beat`` send from the caller, the hub's own task
      (``ferag.events.eager``): one task wakes per event instead of one per socket. A send that
      has to wait stays in flight as a task, and what comes meanwhile is queued behind it.
    - **Queued** for the socket's task: before it is live (the replay), while it is busy, for an
      event that ends the task (the socket's task closes the socket), and after a gap in
      ``seq``. The items also carry ``None``, meaning "send a heartbeat": the hub's one
      heartbeat timer serves every socket.

    (A deque and one future rather than an ``asyncio.Queue``: at 1,000 sockets, the hand-over is
    a fair share of the fan-out's CPU time.)
    """

    def __init__(self, task_id: uuid.UUID, position: int, capacity: int) -> None:
        self.task_id = task_id
        self.position = position
        self._capacity = capacity
        self._pending: deque[WireEvent | None] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._beat_pending = False
        self._send: Sender | None = None
        self._in_flight: asyncio.Future[None] | None = None
        self._failure: BaseException | None = None

    def go_live(self, send: Sender) -> None:
        """From now on, send to the socket directly whenever its task is idle."""
        self._send = send

    def offer(self, event: WireEvent) -> None:
        """Send or queue an event the socket has not sent; when ``capacity`` items wait, drop
        it (the poller and the gap it leaves in ``seq`` bring it back)."""
        if event.seq <= self.position:
            return
        if event.seq == self.position + 1 and not event.is_terminal and self._send_now(event.text):
            self.position = event.seq
        elif len(self._pending) < self._capacity:
            self._push(event)

    def beat(self, text: str) -> None:
        """Send the heartbeat ``text``, or ask for one unless one is already waiting."""
        if self._send_now(text):
            return
        if not self._beat_pending and len(self._pending) < self._capacity:
            self._beat_pending = True
            self._push(None)

    def close(self) -> None:
        """The socket is done: abandon a send still in flight."""
        if self._in_flight is not None:
            self._in_flight.cancel()

    async def next(self) -> WireEvent | None:
        """The next queued event, or None when a heartbeat is due; raises what a direct send
        failed with."""
        while not self._pending and self._failure is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._in_flight is not None:
            await self._in_flight  # what was sent directly goes out first
        if self._failure is not None:
            raise self._failure
        item = self._pending.popleft()
        if item is None:
            self._beat_pending = False
        return item

    def _send_now(self, text: str) -> bool:
        """Send ``text`` from the caller if the socket's task is idle; whether it was (then the
        text is sent, or in flight)."""
        idle = self._waiter is not None and not self._waiter.done()
        if self._send is None or not idle or self._pending or self._in_flight is not None:
            return False
        try:
            rest = start_eagerly(self._send(text))
        except Exception:  # the socket's task meets it again on its own send, and reports it
            self._send = None
            return False
        if rest is not None:
            metrics.WS_WAITED_SENDS.inc()
            self._in_flight = rest
            rest.add_done_callback(self._landed)
        return True

    def _landed(self, sent: asyncio.Future[None]) -> None:
        """A send that had to wait has ended; a failure goes to the socket's task."""
        self._in_flight = None
        if not sent.cancelled() and (error := sent.exception()) is not None:
            self._failure = error
            self._wake()

    def _push(self, item: WireEvent | None) -> None:
        self._pending.append(item)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class EventHub:
    """Fans the events of Redis channel ``task:*`` out to the subscriptions of this process."""

    def __init__(
        self,
        redis_url: str,
        session_factory: sessionmaker[Session],
        *,
        heartbeat_s: float = 15.0,
        poll_interval_s: float = 1.0,
        audit_interval_s: float = 5.0,
        reconnect_max_s: float = 5.0,
        queue_size: int = 1000,
    ) -> None:
        self._redis_url = redis_url
        self._session_factory = session_factory
        self._heartbeat_s = heartbeat_s
        self._poll_interval_s = poll_interval_s
        self._audit_interval_s = audit_interval_s
        self._reconnect_max_s = reconnect_max_s
        self._queue_size = queue_size
        self._topics: dict[uuid.UUID, set[Subscription]] = {}
        self._connected = False
        self._wake_poller = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def is_connected(self) -> bool:
        """Whether the pub/sub subscription is in place."""
        return self._connected

    async def start(self) -> None:
        """Start listening, polling and beating; returns at once, even if Redis is down."""
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="ferag-hub-listen"),
            asyncio.create_task(self._poll_forever(), name="ferag-hub-poll"),
            asyncio.create_task(self._beat_forever(), name="ferag-hub-heartbeat"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._connected = False

    @contextlib.contextmanager
    def subscribe(self, task_id: uuid.UUID, after: int) -> Iterator[Subscription]:
        """Follow a task from ``seq > after`` until the block exits."""
        subscription = Subscription(task_id, after, self._queue_size)
        self._topics.setdefault(task_id, set()).add(subscription)
        metrics.WS_SUBSCRIBERS.inc()
        try:
            yield subscription
        finally:
            subscription.close()
            metrics.WS_SUBSCRIBERS.dec()
            followers = self._topics.get(task_id)
            if followers is not None:
                followers.discard(subscription)
                if not followers:
                    del self._topics[task_id]

    async def load(self, task_id: uuid.UUID, after: int) -> list[WireEvent]:
        """All stored events of a task with ``seq > after``, read in a worker thread."""
        _, events = await to_thread.run_sync(self._read, task_id, after, False)
        return events

    async def replay(self, task_id: uuid.UUID, after: int) -> tuple[bool, list[WireEvent]]:
        """Whether the task had ended (read first), and its stored events with ``seq > after``."""
        return await to_thread.run_sync(self._read, task_id, after, True)

    def _read(
        self, task_id: uuid.UUID, after: int, with_status: bool
    ) -> tuple[bool, list[WireEvent]]:
        with self._session_factory() as db:
            ended = with_status and history.task_status(db, task_id) in TERMINAL_STATUSES
            events: list[WireEvent] = []
            while True:
                page = history.events_after(db, task_id, after, PAGE_SIZE)
                events.extend(WireEvent.from_event(event) for event in page)
                if len(page) < PAGE_SIZE:
                    return ended, events
                after = page[-1].seq

    def _dispatch(self, task_id: uuid.UUID, event: WireEvent) -> None:
        for subscription in self._topics.get(task_id, ()):
            subscription.offer(event)

    # --- Redis listener ---------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as exc:
                if self._connected:
                    logger.warning("Redis pub/sub lost (%s); polling the database meanwhile", exc)
                else:
                    logger.debug("Redis pub/sub unavailable: %s", exc)
            was_connected, self._connected = self._connected, False
            if was_connected:
                self._wake_poller.set()
                delay = 0.1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._reconnect_max_s)

    async def _listen(self) -> None:
        client = aioredis.Redis.from_url(
            self._redis_url, socket_connect_timeout=5, health_check_interval=10
        )
        pubsub = client.pubsub()
        try:
            await pubsub.psubscribe(CHANNEL_PATTERN)
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._on_message(message)
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()

    def _on_message(self, message: dict[str, object]) -> None:
        kind = message.get("type")
        if kind == "psubscribe":
            self._connected = True
            self._wake_poller.set()  # pick up what was published while we were away
            logger.info("Redis pub/sub subscribed to %s", CHANNEL_PATTERN)
        elif kind == "pmessage":
            self._on_event(message["channel"], message["data"])

    def _on_event(self, channel: object, payload: object) -> None:
        if not isinstance(channel, bytes) or not isinstance(payload, bytes | str):
            return
        try:
            task_id = uuid.UUID(channel.decode().removeprefix("task:"))
        except ValueError:
            return
        if task_id not in self._topics:
            return
        try:
            event = TaskEventPublic.model_validate_json(payload)
        except ValueError:
            logger.warning("ignoring a malformed event on %s", channel.decode())
            return
        self._dispatch(task_id, WireEvent.from_event(event))
        stored = event.ts if event.ts.tzinfo else event.ts.replace(tzinfo=UTC)
        latency = (datetime.now(UTC) - stored).total_seconds()
        metrics.FANOUT_SECONDS.observe(max(latency, 0.0))  # clocks of two hosts may disagree

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            text = heartbeat_message()
            for followers in list(self._topics.values()):
                for subscription in followers:
                    subscription.beat(text)

    # --- database poller --------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        while True:
            interval = self._audit_interval_s if self._connected else self._poll_interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_poller.wait(), interval)
            self._wake_poller.clear()
            try:
                await self._poll_once()
            except SQLAlchemyError as exc:
                logger.warning("polling task events failed: %s", exc)

    async def _poll_once(self) -> None:
        for task_id in list(self._topics):
            followers = self._topics.get(task_id)
            if not followers:
                continue
            for event in await self.load(task_id, min(s.position for s in followers)):
                self._dispatch(task_id, event)


def hub_from_settings(settings: Settings, session_factory: sessionmaker[Session]) -> EventHub:
    return EventHub(
        settings.require("redis_url"),
        session_factory,
        heartbeat_s=settings.ws_heartbeat_s,
        poll_interval_s=settings.events_poll_interval_s,
        reconnect_max_s=settings.events_reconnect_max_s,
    )
