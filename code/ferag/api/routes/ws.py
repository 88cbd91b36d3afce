"""``WS /ws/tasks/{task_id}``: a task's events, replayed from ``?after=<seq>`` and then live.

Authentication never puts the access token in the URL. Either ``?ticket=`` carries a single-use
ticket from ``POST /tasks/{task_id}/ticket``, or the first message, within
``ws_auth_timeout_s``, is ``{"type": "auth", "token": "<access token>"}``. The socket is
accepted first, so a refused client reads the close code and reason:

- 4400: a malformed request (``after`` is not a non-negative integer);
- 4401: not authenticated (no, invalid, expired or used credentials);
- 4404: no such task, or the caller is not a member of its RAG (one code, so that the
  existence of a task is not revealed);
- 1013: Redis is unavailable to check a ticket (use the first-message token);
- 1011: an unexpected server error (reconnect with ``?after=`` the last ``seq`` received);
- 1000: the task's ``pipeline`` step has ended and its last event was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncGenerator, Coroutine
from functools import partial
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from ferag.db.models import User
from ferag.errors import ServiceUnavailable, Unauthenticated
from ferag.events import tickets
from ferag.events.stream import follow_task
from ferag.security import read_access_token
from ferag.services.members import visible_task
from ferag.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(tags=["tasks"])

CLOSE_DONE = 1000
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
MAX_REASON_BYTES = 123  # the WebSocket protocol's limit on a close reason
MAX_SEQ = 2**31 - 1  # task_events.seq is a 32-bit integer


class SocketRefused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@router.websocket("/ws/tasks/{task_id}")
async def follow_task_events(websocket: WebSocket, task_id: str) -> None:
    await websocket.accept()
    try:
        target = _parse_task_id(task_id)
        after = _parse_after(websocket.query_params.get("after"))
        user_id = await _authenticate(websocket, target)
        await _check_membership(websocket, target, user_id)
    except SocketRefused as refusal:
        await _close(websocket, refusal.code, refusal.reason)
        return
    except WebSocketDisconnect:
        return
    send = partial(_send_text, websocket)
    await _serve(websocket, follow_task(websocket.app.state.hub, target, after, send))


def _parse_task_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise SocketRefused(CLOSE_NOT_FOUND, "no such task, or you are not a member") from None


def _parse_after(raw: str | None) -> int:
    if raw is None:
        return 0
    if not raw.isdigit() or int(raw) > MAX_SEQ:
        raise SocketRefused(CLOSE_BAD_REQUEST, "after must be a non-negative integer seq")
    return int(raw)


async def _authenticate(websocket: WebSocket, task_id: uuid.UUID) -> int:
    """The caller's user id, from a ticket or from the first message."""
    if "token" in websocket.query_params or "access_token" in websocket.query_params:
        raise SocketRefused(
            CLOSE_UNAUTHENTICATED,
            "do not put the access token in the URL; use a ticket or send it as the first message",
        )
    ticket = websocket.query_params.get("ticket")
    if ticket is not None:
        return await _redeem(websocket, ticket, task_id)
    settings: Settings = websocket.app.state.settings
    token = await _receive_token(websocket, settings.ws_auth_timeout_s)
    try:
        return read_access_token(token, websocket.app.state.jwt_secret)
    except Unauthenticated as exc:
        raise SocketRefused(CLOSE_UNAUTHENTICATED, exc.message) from None


async def _redeem(websocket: WebSocket, ticket: str, task_id: uuid.UUID) -> int:
    redis = websocket.app.state.redis
    try:
        claims = await run_in_threadpool(tickets.redeem_ticket, redis, ticket)
    except ServiceUnavailable:
        raise SocketRefused(
            CLOSE_TRY_AGAIN_LATER, "Redis is unavailable to check tickets; send the token instead"
        ) from None
    if claims is None or claims.task_id != task_id:
        raise SocketRefused(
            CLOSE_UNAUTHENTICATED, "the ticket is invalid, expired or used; request a new one"
        )
    return claims.user_id


async def _receive_token(websocket: WebSocket, timeout_s: float) -> str:
    refusal = SocketRefused(
        CLOSE_UNAUTHENTICATED,
        'send {"type": "auth", "token": "<access token>"} first, or connect with ?ticket=',
    )
    try:
        text = await asyncio.wait_for(websocket.receive_text(), timeout_s)
        message = json.loads(text)
    except (TimeoutError, ValueError, KeyError):
        raise refusal from None
    is_auth = isinstance(message, dict) and message.get("type") == "auth"
    token = message.get("token") if is_auth else None
    if not isinstance(token, str) or not token:
        raise refusal
    return token


async def _check_membership(websocket: WebSocket, task_id: uuid.UUID, user_id: int) -> None:
    session_factory = websocket.app.state.session_factory

    def check() -> str | None:
        with session_factory() as db:
            user = db.get(User, user_id)
            if user is None or not user.is_active:
                return "unauthenticated"
            if visible_task(db, task_id, user_id) is None:
                return "not_found"
            return None

    problem = await run_in_threadpool(check)
    if problem == "unauthenticated":
        raise SocketRefused(CLOSE_UNAUTHENTICATED, "this account no longer exists or is disabled")
    if problem == "not_found":
        raise SocketRefused(CLOSE_NOT_FOUND, "no such task, or you are not a member")


async def _serve(websocket: WebSocket, messages: AsyncGenerator[str, None]) -> None:
    """Send ``messages`` while watching for the client going away; whichever ends first wins."""
    sender = asyncio.create_task(_send_all(websocket, messages))
    watcher = asyncio.create_task(_until_disconnected(websocket))
    done, pending = await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if sender in done and (error := sender.exception()) is not None:
        logger.error("task socket failed", exc_info=error)
        await _close(websocket, CLOSE_INTERNAL_ERROR, "server error; reconnect with ?after=")


async def _send_all(websocket: WebSocket, messages: AsyncGenerator[str, None]) -> None:
    async with contextlib.aclosing(messages):
        try:
            async for text in messages:
                await _send_text(websocket, text)
        except (WebSocketDisconnect, OSError):
            return  # the client went away; the watcher sees it too
    await _close(websocket, CLOSE_DONE, "the task has ended")


def _send_text(websocket: WebSocket, text: str) -> Coroutine[Any, Any, None]:
    """``websocket.send_text``, one coroutine shorter: the hub makes one call per socket."""
    return websocket.send({"type": "websocket.send", "text": text})


async def _until_disconnected(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # clients have nothing to say after authenticating


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    reason = reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code, reason)
