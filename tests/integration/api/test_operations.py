"""/health reports every component; /metrics speaks Prometheus; requests carry an id."""

from __future__ import annotations

import re

import httpx

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.workers import WorkerProcess


def test_health_reports_every_component_ok(client: httpx.Client, worker: WorkerProcess) -> None:
    response = client.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "redis", "store", "worker", "llm"}
    for name, component in body["components"].items():
        assert component["status"] == "ok", name
        assert component["latency_ms"] >= 0
    assert body["components"]["llm"]["standin"] is True
    assert "stand-in" in body["components"]["llm"]["detail"]
    store = body["components"]["store"]
    assert (store["kind"], store["detail"]) == ("oxigraph", f"oxigraph {store['version']}")
    assert re.fullmatch(r"\d+\.\d+\.\d+", store["version"])


def test_health_is_503_naming_what_is_down(settings: Settings) -> None:
    from ferag.api.app import create_app

    broken = settings.model_copy(
        update={"store_url": "http://127.0.0.1:9", "llm_base_url": "http://127.0.0.1:9/v1"}
    )
    with ThreadedServer(create_app(broken)) as server:
        response = httpx.get(f"{server.url}/health")
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["store"]["status"] == components["llm"]["status"] == "down"
    assert components["database"]["status"] == "ok"
    assert "ConnectError" in components["llm"]["detail"] or components["llm"]["detail"]


def test_ready_checks_what_serving_needs_and_live_checks_nothing(
    client: httpx.Client, worker: WorkerProcess, settings: Settings
) -> None:
    from ferag.api.app import create_app

    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["components"]) == {"database", "redis", "store", "worker"}

    broken = settings.model_copy(update={"store_url": "http://127.0.0.1:9"})
    with ThreadedServer(create_app(broken)) as server:
        live = httpx.get(f"{server.url}/health/live")
        not_ready = httpx.get(f"{server.url}/health/ready")
        again = httpx.get(f"{server.url}/health/live")
    assert live.status_code == 200
    assert live.json()["status"] == "ok"
    assert len(live.json()["instance"]) == 32
    assert again.json()["instance"] == live.json()["instance"]  # one id per instance
    assert live.json()["instance"] != client.get("/health/live").json()["instance"]
    assert not_ready.status_code == 503
    assert not_ready.json()["status"] == "degraded"
    assert not_ready.json()["components"]["store"]["status"] == "down"
    assert not_ready.json()["components"]["database"]["status"] == "ok"


def test_metrics_count_requests_by_route(client: httpx.Client) -> None:
    client.get("/rags/123")  # 401, counted under its route template
    text = client.get("/metrics").text
    assert "# TYPE ferag_http_requests_total counter" in text
    assert 'ferag_http_requests_total{method="GET",route="/rags/{rag_id}",status="401"}' in text
    assert "ferag_http_request_duration_seconds_bucket" in text


def test_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    generated = client.get("/rags").headers["x-request-id"]
    assert len(generated) == 32
