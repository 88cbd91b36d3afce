"""Run a coroutine now, in the caller, and leave only what has to wait to a task.

The hub sends one event to hundreds of sockets at once. Waking one task per socket to do it cost
a third of the API's CPU per event (docs/benchmarks.md), although sending almost never waits:
uvicorn's ``send`` returns without suspending unless the socket's transport is paused (its client
reads slower than we write). ``start_eagerly`` runs the send in the caller; only a send that does
have to wait becomes a task, so a slow client never holds up the others.

Python 3.12 has this for tasks (``asyncio.eager_task_factory``); ferag supports 3.11.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Generator
from functools import partial
from typing import Any


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Future[None] | None:
    """Run ``coroutine`` until it ends or has to wait. ``None`` if it ended; otherwise the task
    that finishes it. An exception raised before the first wait propagates here."""
    try:
        awaited = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_Rest(coroutine, awaited))


class _Rest:
    """The rest of a coroutine that has run up to its first wait, as an awaitable.

    (A suspended coroutine cannot simply be awaited from another one: Python refuses, since it
    is still inside its own ``await``.) This does what that ``await`` would have done: it hands
    the task what the coroutine waits on, and passes the task's wake-ups and exceptions, such as
    a cancellation, on to the coroutine.
    """

    def __init__(self, coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
        self._coroutine = coroutine
        self._awaited = awaited

    def __await__(self) -> Generator[Any, None, None]:
        awaited = self._awaited
        while True:
            resume: Callable[[], Any]
            try:
                yield awaited
            except BaseException as exc:  # handed on to the coroutine, as `await` would
                resume = partial(self._coroutine.throw, exc)
            else:
                resume = partial(self._coroutine.send, None)
            try:
                awaited = resume()
            except StopIteration:
                return
