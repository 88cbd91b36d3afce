"""An ASGI middleware that bounds every request body as it arrives.

``Content-Length`` over the limit is refused before a byte of the body is read; a body without
one (``Transfer-Encoding: chunked``), or one that sends more than it announced, is counted
chunk by chunk and cut off the moment it passes the limit. Either way the client gets 413
``upload_too_large`` in the one error shape, and the application never sees more than the limit:
starlette's multipart parser spools what it reads, so the limit bounds that too.

The cut-off raises ``BodyTooLarge`` out of ``receive`` inside the application; whatever the
application answers to that (FastAPI turns a failed body read into 400) is dropped and replaced
by the 413.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ferag.api.errors import error_response


class BodyTooLarge(Exception):
    """Raised from ``receive`` once the body passes the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.refuse(scope, receive, send, f"the request body is {declared:,} bytes")
            return
        await _LimitedRequest(self, scope, receive, send).run()

    async def refuse(self, scope: Scope, receive: Receive, send: Send, found: str) -> None:
        response = error_response(
            413,
            "upload_too_large",
            f"{found}; the limit is {self.max_bytes:,} (FERAG_MAX_UPLOAD_BYTES): split it into "
            "several uploads",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class _LimitedRequest:
    """One request whose ``receive`` counts body bytes and whose ``send`` goes quiet once the
    body was cut off."""

    def __init__(self, limit: BodyLimit, scope: Scope, receive: Receive, send: Send) -> None:
        self.limit = limit
        self.scope = scope
        self.receive = receive
        self.send = send
        self.received = 0
        self.cut_off = False
        self.started = False

    async def run(self) -> None:
        try:
            await self.limit.app(self.scope, self._receive, self._send)
        except Exception:
            if not self.cut_off:
                raise
        if self.cut_off and not self.started:
            found = f"the request body passed {self.limit.max_bytes:,} bytes"
            await self.limit.refuse(self.scope, self.receive, self.send, found)

    async def _receive(self) -> Message:
        if self.cut_off:
            raise BodyTooLarge
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit.max_bytes:
                self.cut_off = True
                raise BodyTooLarge
        return message

    async def _send(self, message: Message) -> None:
        if self.cut_off and not self.started:
            return  # the application's answer to a cut-off body; the 413 replaces it
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
