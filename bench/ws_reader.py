"""A minimal WebSocket reader for benchmarks: many sockets per process, little CPU per message.

Benchmarks run their clients on the same machine as the server, so a client library's own cost
per message (the ``websockets`` client spends tens of µs) would be measured as server latency.
This reader does only what a task socket needs (RFC 6455): the upgrade handshake, optionally
``permessage-deflate`` as browsers negotiate it, masked text frames out, unfragmented text,
ping and close frames in. The receipt time of each message is taken when its bytes arrive.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

DEFLATE_TAIL = b"\x00\x00\xff\xff"


class TaskSocketReader(asyncio.Protocol):
    """Authenticates with the first message, then records every event it receives."""

    def __init__(self, url: str, token: str, *, deflate: bool) -> None:
        loop = asyncio.get_running_loop()
        self.url = urlsplit(url)
        self.token = token
        self.offer_deflate = deflate
        self.inflater: Any = None
        self.transport: Any = None
        self.buffer = bytearray()
        self.is_upgraded = False
        self.ready: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[int] = loop.create_future()
        self.seqs: list[int] = []
        self.latencies_ms: list[float] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transports do not subclass asyncio.Transport
        key = base64.b64encode(os.urandom(16)).decode()
        path = self.url.path + (f"?{self.url.query}" if self.url.query else "")
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {self.url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.offer_deflate:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        received_at = time.time()
        self.buffer += data
        if not self.is_upgraded and not self._read_upgrade():
            return
        self._read_frames(received_at)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(1006)

    def _read_upgrade(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").lower()
        del self.buffer[: end + 4]
        if not head.startswith("http/1.1 101"):
            raise ConnectionError(f"upgrade refused: {head.splitlines()[0]}")
        if "permessage-deflate" in head:
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.is_upgraded = True
        self._send(0x1, json.dumps({"type": "auth", "token": self.token}).encode())
        return True

    def _read_frames(self, received_at: float) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            compressed, opcode, length = bool(buffer[0] & 0x40), buffer[0] & 0x0F, buffer[1] & 0x7F
            offset = 2
            if length == 126:
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if compressed:
                payload = self.inflater.decompress(payload + DEFLATE_TAIL)
            self._on_frame(opcode, payload, received_at)

    def _on_frame(self, opcode: int, payload: bytes, received_at: float) -> None:
        if opcode == 0x1:
            self._on_message(json.loads(payload), received_at)
        elif opcode == 0x9:
            self._send(0xA, payload)
        elif opcode == 0x8:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self._send(0x8, payload[:2])
            if self.transport is not None:
                self.transport.close()
            if not self.closed.done():
                self.closed.set_result(code)

    def _on_message(self, message: dict[str, Any], received_at: float) -> None:
        kind = message["type"]
        if kind == "ready" and not self.ready.done():
            self.ready.set_result(None)
        elif kind == "event":
            self.seqs.append(message["seq"])
            if "t_pub" in message["data"]:
                self.latencies_ms.append((received_at - message["data"]["t_pub"]) * 1000)

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = bytes([0x80 | opcode, 0x80 | length])
        else:
            header = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(header + mask + masked)


async def open_reader(url: str, token: str, *, deflate: bool) -> TaskSocketReader:
    """Connect, authenticate and wait for the server's ``ready`` message."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    _, reader = await loop.create_connection(
        lambda: TaskSocketReader(url, token, deflate=deflate), host, port
    )
    await asyncio.wait_for(reader.ready, 120)
    return reader
