"""`ferag status`'s probes: what runs each component, and the store's kind and version as the
API's /health reports them."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ferag.stack.servers import free_port
from ferag.stack.state import ComponentRecord, probe
from ferag.stack.threaded import ThreadedServer

HEALTH: dict[str, Any] = {
    "status": "ok",
    "components": {
        "store": {"status": "ok", "detail": "fuseki 5.6.0", "kind": "fuseki", "version": "5.6.0"},
        "llm": {"status": "ok", "detail": "offline model stand-in", "standin": True},
        "worker": {"status": "ok", "detail": "ferag@host"},
    },
}


async def _health(_: Request) -> JSONResponse:
    return JSONResponse(HEALTH)


def test_the_api_row_names_the_store_kind_and_version() -> None:
    with ThreadedServer(Starlette(routes=[Route("/health", _health)])) as server:
        status = probe(ComponentRecord("api", server.url, "FastAPI on uvicorn"))

    assert status.is_up
    assert status.detail == (
        "FastAPI on uvicorn, /health ok: store ok (fuseki 5.6.0), llm ok (stand-in), worker ok"
    )


def test_a_store_row_says_what_runs_it_and_whether_it_answers() -> None:
    record = ComponentRecord(
        "store", f"http://127.0.0.1:{free_port()}", "external Apache Jena Fuseki"
    )

    status = probe(record, timeout=1)

    assert not status.is_up
    assert status.detail == "external Apache Jena Fuseki, does not accept connections"
