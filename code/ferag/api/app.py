"""The FastAPI application (`ferag api` serves it: ferag.api.serve).

Long-lived clients (database engine, Redis, triple store) are created in the lifespan and
handed to routes by ``ferag.api.deps``; tests build the app with their own Settings.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from redis import Redis
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from ferag.api.body_limit import BodyLimit
from ferag.api.errors import register_error_handlers, unexpected_error
from ferag.api.metrics import ApiMetrics
from ferag.api.openai_errors import http_error as openai_aware_http_error
from ferag.api.openapi import document_errors
from ferag.api.routes import (
    auth,
    chat,
    cycles,
    entities,
    openai,
    operations,
    rags,
    resolution,
    review,
    shapes,
    sparql,
    tasks,
    versions,
    ws,
)
from ferag.api.serve import instance_id
from ferag.db.engine import make_engine, make_session_factory
from ferag.events.hub import hub_from_settings
from ferag.llm.chat_model import chat_model_from_settings
from ferag.llm.embeddings import embedder_from_settings
from ferag.logs import accepted_request_id, configure_logging, request_id_var
from ferag.mcp.http import MCP_PATH, ApiKeyVerifier, http_app, http_server
from ferag.mcp.tools import McpRuntime
from ferag.queueing import make_celery
from ferag.security import jwt_secret
from ferag.services.answer_cache import AnswerCache
from ferag.services.login_limits import LoginLimits
from ferag.settings import Settings, get_settings
from ferag.store.client import store_from_settings
from ferag.web import install as install_web_ui

logger = logging.getLogger(__name__)

GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)


def operation_id(route: APIRoute) -> str:
    """Route function names are the public operation ids (and generated client methods)."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.require("database_url"))
        app.state.session_factory = make_session_factory(app.state.engine)
        app.state.hub = hub_from_settings(settings, app.state.session_factory)
        await app.state.hub.start()
        app.state.redis = Redis.from_url(
            settings.require("redis_url"), socket_timeout=5, socket_connect_timeout=5
        )
        app.state.login_limits = LoginLimits.from_settings(settings, app.state.redis)
        app.state.answer_cache = AnswerCache.from_settings(settings, app.state.redis)
        app.state.store = store_from_settings(settings)
        # A broker-only Celery client: the API enqueues by task name, never imports tasks.
        app.state.celery = make_celery(settings.require("redis_url"))
        app.state.chat_model = chat_model_from_settings(settings)
        app.state.embedder = embedder_from_settings(settings)
        logger.info(
            "ferag API ready (store %s, llm %s)",
            settings.store_kind,
            settings.llm_base_url or "not configured",
        )
        _tune_garbage_collector()
        async with mcp_server.session_manager.run():
            yield
        await app.state.hub.stop()
        app.state.chat_model.close()
        app.state.embedder.close()
        app.state.store.close()
        app.state.redis.close()
        app.state.engine.dispose()

    # FastAPIOffline serves /docs and /redoc with the Swagger UI and ReDoc assets its package
    # ships (under /static-offline-docs), so they work without a CDN.
    app = FastAPIOffline(
        title="ferag",
        summary="Documents in, a reviewed and versioned knowledge graph out.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.jwt_secret = jwt_secret(settings)  # read or generated once per process
    app.state.metrics = ApiMetrics()
    app.state.instance_id = instance_id()
    register_error_handlers(app)
    # Unknown paths and methods under /v1 answer in OpenAI's error shape, the rest in ferag's.
    app.add_exception_handler(StarletteHTTPException, openai_aware_http_error)
    # Inside the request context, so a 413 carries the request id like every other error.
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.middleware("http")(_request_context)
    routers: tuple[APIRouter, ...] = (auth.router, rags.router, cycles.router, tasks.router)
    routers += (ws.router, operations.router)
    routers += (chat.router, chat.keys_router, openai.router)
    routers += (review.router, resolution.router, versions.router, shapes.router)
    routers += (entities.router, sparql.router)
    for router in routers:
        app.include_router(router)
    document_errors(app, routers)
    # The MCP endpoint is an ASGI app of the SDK, not a FastAPI route: it is missing from the
    # OpenAPI document (and the role matrix); tests/integration/mcp checks its access rules.
    mcp_server = http_server(lambda: mcp_runtime(app))
    verifier = ApiKeyVerifier(lambda: app.state.session_factory)
    app.router.routes.append(Route(MCP_PATH, http_app(mcp_server, verifier)))
    install_web_ui(app)
    return app


def mcp_runtime(app: FastAPI) -> McpRuntime:
    """The MCP tools' clients: the ones the lifespan made for the routes."""
    state = app.state
    return McpRuntime(state.settings, state.session_factory, state.store, state.redis,
                      state.chat_model, state.answer_cache)  # fmt: skip


def _tune_garbage_collector() -> None:
    """Keep collector pauses off requests and socket fan-outs (see docs/benchmarks.md).

    What start-up built lives as long as the process, so freezing it keeps it out of every later
    full collection (100-300 ms each otherwise); a larger young generation means far fewer
    collections while 1,000 sockets each get an event (API CPU per event -25 %).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)


async def _request_context(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Give each request an id (the client's if well-formed, ``accepted_request_id``; echoed
    in X-Request-ID, every error body and every log line) and measure it. A bug's 500 is
    answered here, where the id is still known."""
    request_id = accepted_request_id(request.headers.get("x-request-id"))
    request.state.request_id = request_id
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        try:
            response = await call_next(request)
        except Exception as exc:
            response = unexpected_error(request, exc)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        template = route.path if isinstance(route, APIRoute) else "unmatched"
        request.app.state.metrics.observe(request.method, template, response.status_code, elapsed)
        response.headers["X-Request-ID"] = request_id
        logger.info(
            "%s %s %s %.1f ms", request.method, template, response.status_code, elapsed * 1000
        )
        return response
    finally:
        request_id_var.reset(token)
