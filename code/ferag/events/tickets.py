"""Single-use WebSocket tickets: a browser cannot set headers on a WebSocket, and a long-lived
access token does not belong in a URL (it ends up in logs and history).

An authenticated member asks for a ticket over HTTP; the ticket is random, valid for a few
seconds, bound to one user and one task, and consumed by the first socket that presents it
(``GETDEL``). Redis stores only its SHA-256, so a copy of Redis holds no usable ticket.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

from ferag.errors import ServiceUnavailable

KEY_PREFIX = "ferag:ws-ticket:"
MAX_TICKET_LENGTH = 128


@dataclass(frozen=True)
class TicketClaims:
    user_id: int
    task_id: uuid.UUID


def _key(ticket: str) -> str:
    return KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(redis: Redis, user_id: int, task_id: uuid.UUID, ttl_s: int) -> str:
    ticket = secrets.token_urlsafe(32)
    value = json.dumps({"user_id": user_id, "task_id": str(task_id)})
    try:
        redis.set(_key(ticket), value, ex=ttl_s)
    except RedisError as exc:
        raise ServiceUnavailable(
            "Redis is unavailable, so no ticket can be issued; open the socket without a ticket "
            'and send {"type": "auth", "token": "<access token>"} as its first message',
            code="redis_unavailable",
        ) from exc
    return ticket


def redeem_ticket(redis: Redis, ticket: str) -> TicketClaims | None:
    """The claims of a valid ticket, consuming it; None if unknown, used or expired."""
    if not 0 < len(ticket) <= MAX_TICKET_LENGTH:
        return None
    try:
        raw = redis.getdel(_key(ticket))
    except RedisError as exc:
        raise ServiceUnavailable(
            "Redis is unavailable, so the ticket cannot be checked; send the access token as "
            "the first message instead",
            code="redis_unavailable",
        ) from exc
    if raw is None:
        return None
    claims = json.loads(raw)
    return TicketClaims(user_id=int(claims["user_id"]), task_id=uuid.UUID(claims["task_id"]))
