"""The MCP server over stdio (``ferag mcp``), for a client that starts it as a subprocess.

The process opens its own clients from the settings (database, Redis, triple store, model, as
the API does) and acts for the user of the API key it was started with, checked at start-up and
again on every call (a revoked key stops working at once). Standard output carries the protocol
only: logs go to standard error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from redis import Redis

from ferag.db.engine import make_engine, make_session_factory
from ferag.llm.chat_model import chat_model_from_settings
from ferag.mcp.server import build_server
from ferag.mcp.tools import McpRuntime, call_of
from ferag.services.answer_cache import AnswerCache
from ferag.settings import Settings
from ferag.store.client import store_from_settings


@contextmanager
def open_runtime(settings: Settings) -> Iterator[McpRuntime]:
    engine = make_engine(settings.require("database_url"))
    redis = Redis.from_url(
        settings.require("redis_url"), socket_timeout=5, socket_connect_timeout=5
    )
    store = store_from_settings(settings)
    model = chat_model_from_settings(settings)
    try:
        cache = AnswerCache.from_settings(settings, redis)
        yield McpRuntime(settings, make_session_factory(engine), store, redis, model, cache)
    finally:
        model.close()
        store.close()
        redis.close()
        engine.dispose()


def check_key(runtime: McpRuntime, key: str) -> str:
    """The key's user's email; ``Unauthenticated`` if the key is not valid."""
    with call_of(runtime, key) as call:
        return call.user.email


def serve_stdio(runtime: McpRuntime, key: str) -> None:
    server = build_server(lambda: runtime, lambda: key)
    anyio.run(server.run_stdio_async)
