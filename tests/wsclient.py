"""A small WebSocket client for task sockets, built on the ``websockets`` library."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


@dataclass
class Received:
    """What one socket received, and how it was closed."""

    events: list[dict[str, Any]] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)
    arrival: dict[int, float] = field(default_factory=dict)  # seq -> time.monotonic()
    close_code: int | None = None
    close_reason: str = ""

    @property
    def seqs(self) -> list[int]:
        return [event["seq"] for event in self.events]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.others if message["type"] == kind]


def ws_url(api_url: str, task_id: uuid.UUID | str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    base = api_url.replace("http://", "ws://", 1)
    return f"{base}/ws/tasks/{task_id}" + (f"?{query}" if query else "")


async def open_socket(
    api_url: str,
    task_id: uuid.UUID | str,
    *,
    token: str | None = None,
    ticket: str | None = None,
    after: int | None = None,
) -> ClientConnection:
    """Connect; with ``token``, authenticate by the first message."""
    socket = await connect(
        ws_url(api_url, task_id, ticket=ticket, after=after), ping_interval=None, open_timeout=30
    )
    if token is not None:
        await send_quietly(socket, json.dumps({"type": "auth", "token": token}))
    return socket


async def send_quietly(socket: ClientConnection, text: str) -> None:
    """Send, unless the server has already closed the socket (``read_all`` reports why)."""
    with contextlib.suppress(ConnectionClosed):
        await socket.send(text)


async def read_all(
    socket: ClientConnection,
    received: Received | None = None,
    on_ready: Callable[[], None] | None = None,
) -> Received:
    """Read until the server closes the socket."""
    received = received or Received()
    try:
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "event":
                received.events.append(message)
                received.arrival[message["seq"]] = time.monotonic()
            else:
                received.others.append(message)
                if message["type"] == "ready" and on_ready is not None:
                    on_ready()
    except ConnectionClosed:
        pass
    await socket.wait_closed()
    received.close_code = socket.close_code
    received.close_reason = socket.close_reason or ""
    return received


async def follow(
    api_url: str,
    task_id: uuid.UUID | str,
    *,
    token: str | None = None,
    ticket: str | None = None,
    after: int | None = None,
    on_ready: Callable[[], None] | None = None,
) -> Received:
    socket = await open_socket(api_url, task_id, token=token, ticket=ticket, after=after)
    return await read_all(socket, on_ready=on_ready)
