"""Operations: health and Prometheus metrics (no authentication, no RAG data).

- ``/health/live``: the process answers (no dependency is checked), with the instance id;
- ``/health/ready``: it can serve: database, Redis, triple store and a worker heartbeat are
  ok (503 otherwise);
- ``/health``: every component, the LLM endpoint included, with latencies and the triple
  store's kind and version (503 when any is down).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from ferag import heartbeat
from ferag.api.schemas import ComponentHealth, HealthPublic, LivenessPublic

router = APIRouter(tags=["operations"])

CHECK_TIMEOUT_S = 3.0
STANDIN_HEADER = "x-ferag-standin"


def _timed(check: Callable[[], ComponentHealth | None]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        result = check() or ComponentHealth(status="ok")
    except Exception as exc:
        return ComponentHealth(status="down", detail=f"{type(exc).__name__}: {exc}"[:300])
    result.latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def _check_database(request: Request) -> None:
    with request.app.state.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _check_redis(request: Request) -> None:
    request.app.state.redis.ping()


def _check_store(request: Request) -> ComponentHealth:
    store = request.app.state.store
    store.ping()
    return ComponentHealth(status="ok", detail=store.kind, kind=store.kind)


def _describe_store(request: Request) -> ComponentHealth:
    """``_check_store`` plus the server's version, which costs Fuseki a listing of every
    dataset: for ``/health``, not the readiness probe that runs every few seconds."""
    health = _check_store(request)
    health.version = request.app.state.store.server_version()
    health.detail = f"{health.kind} {health.version or '(version unknown)'}"
    return health


def _check_worker(request: Request) -> ComponentHealth:
    workers = heartbeat.alive_workers(request.app.state.redis)
    if not workers:
        return ComponentHealth(status="down", detail="no worker heartbeat; start a worker")
    return ComponentHealth(status="ok", detail=", ".join(workers))


def _check_llm(request: Request) -> ComponentHealth:
    base_url = request.app.state.settings.llm_base_url
    if not base_url:
        return ComponentHealth(status="down", detail="FERAG_LLM_BASE_URL is not set")
    response = httpx.get(
        f"{base_url.rstrip('/')}/models", timeout=CHECK_TIMEOUT_S, headers=_llm_headers(request)
    )
    response.raise_for_status()
    is_standin = response.headers.get(STANDIN_HEADER) == "offline"
    detail = "offline model stand-in (rule-based, not a model)" if is_standin else base_url
    return ComponentHealth(status="ok", detail=detail, standin=is_standin)


def _llm_headers(request: Request) -> dict[str, str]:
    key = request.app.state.settings.llm_api_key.get_secret_value()
    return {"Authorization": f"Bearer {key}"}


Check = Callable[[Request], ComponentHealth | None]

# What the API needs to serve requests and run cycles; the LLM is not among them (chat and
# new cycles wait for it, everything else works).
READINESS: dict[str, Check] = {
    "database": _check_database,
    "redis": _check_redis,
    "store": _check_store,
    "worker": _check_worker,
}
CHECKS: dict[str, Check] = {**READINESS, "store": _describe_store, "llm": _check_llm}


async def _report(request: Request, checks: dict[str, Check]) -> JSONResponse:
    results = await asyncio.gather(
        *(asyncio.to_thread(_timed, partial(check, request)) for check in checks.values())
    )
    components = dict(zip(checks, results, strict=True))
    healthy = all(c.status == "ok" for c in components.values())
    body = HealthPublic(status="ok" if healthy else "degraded", components=components)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if healthy else 503)


@router.get("/health", responses={503: {"model": HealthPublic}})
async def read_health(request: Request) -> JSONResponse:
    """Each component's state and latency; 503 when any is down."""
    return await _report(request, CHECKS)


@router.get("/health/live")
def read_liveness(request: Request) -> LivenessPublic:
    """The process answers; nothing else is checked (a liveness probe restarts on failure)."""
    return LivenessPublic(status="ok", instance=request.app.state.instance_id)


@router.get("/health/ready", responses={503: {"model": HealthPublic}})
async def read_readiness(request: Request) -> JSONResponse:
    """Whether this API can serve: database, Redis, triple store and at least one worker
    heartbeat ok; 503 naming what is down otherwise."""
    return await _report(request, READINESS)


@router.get("/metrics", response_class=Response)
def read_metrics(request: Request) -> Response:
    """Prometheus text format; with several API processes, the sum over all of them."""
    state = request.app.state
    payload = generate_latest(state.metrics.exposed_registry(state.session_factory))
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
