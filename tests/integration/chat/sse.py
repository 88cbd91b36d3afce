"""A minimal server-sent events reader over httpx, as a browser's EventSource reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Event:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def read_events(response: httpx.Response) -> Iterator[Event]:
    """Events of a streamed response: ``event:`` and ``data:`` lines, blank line ends one."""
    name, data = "message", list[str]()
    for line in response.iter_lines():
        if not line:
            if data:
                yield Event(name, "\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].removeprefix(" "))
    if data:
        yield Event(name, "\n".join(data))


def stream_events(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str]
) -> list[Event]:
    with client.stream("POST", url, json=body, headers=headers) as response:
        assert response.status_code == 200, response.read().decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(read_events(response))
