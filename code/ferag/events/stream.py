"""What one subscriber receives: replay, then live events, heartbeats, until the task ends.

``follow_task`` yields the socket's text messages in order:

1. ``{"type": "ready", ...}`` once the subscription is in place;
2. every stored event with ``seq > after`` (the replay);
3. live events as they come, each ``seq`` exactly once and in order: an event already sent is
   dropped, and a jump in ``seq`` is filled from the database before the event is sent;
4. ``{"type": "heartbeat", ...}`` every ``ws_heartbeat_s`` (the hub's timer).

Given ``send``, the live events and heartbeats that need no care (the next ``seq``, not the end)
go to the socket through ``send`` straight from the hub while this generator waits; it yields
only the rest (``Subscription`` says which).

It ends once the latest ``pipeline`` event it has sent is terminal (done, failed, cancelled). A
replay sends every stored event before looking, so a late subscriber gets the whole history and
the end.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Iterable

from ferag.events.hub import EventHub, Sender, Subscription
from ferag.events.schemas import WireEvent, heartbeat_message, ready_message


class _Cursor:
    """The subscriber's place in the task's events and whether the task has ended."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.is_finished = False
        self.saw_pipeline = False

    def take(self, events: Iterable[WireEvent]) -> list[str]:
        """The messages to send for ``events`` (in ``seq`` order), skipping those sent."""
        texts = []
        for event in events:
            if event.seq <= self.subscription.position:
                continue
            texts.append(event.text)
            self.subscription.position = event.seq
            if event.is_pipeline:
                self.saw_pipeline = True
                self.is_finished = event.is_terminal
        return texts


async def follow_task(
    hub: EventHub, task_id: uuid.UUID, after: int, send: Sender | None = None
) -> AsyncGenerator[str, None]:
    """The messages of one subscriber to ``task_id`` (see the module docstring)."""
    with hub.subscribe(task_id, after) as subscription:
        cursor = _Cursor(subscription)
        yield ready_message(task_id, after)
        for text in await _replay(hub, cursor):
            yield text
        if send is not None:
            subscription.go_live(send)
        while not cursor.is_finished:
            event = await subscription.next()
            if event is None:
                yield heartbeat_message()
            elif event.seq <= subscription.position + 1:  # the usual case: the next one, or sent
                for text in cursor.take((event,)):
                    yield text
            else:  # a jump in seq: what Redis did not deliver is in the database
                for text in cursor.take(await hub.load(task_id, subscription.position)):
                    yield text


async def _replay(hub: EventHub, cursor: _Cursor) -> list[str]:
    """The stored events after the cursor. If the task had already ended and they hold no
    ``pipeline`` event, the client saw the end before (``after`` >= the terminal ``seq``)."""
    had_ended, events = await hub.replay(cursor.subscription.task_id, cursor.subscription.position)
    texts = cursor.take(events)
    if had_ended and not cursor.saw_pipeline:
        cursor.is_finished = True
    return texts
