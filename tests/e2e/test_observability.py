"""What operators see, on real servers: the metrics Prometheus scrapes from the API and from a
worker after a cycle and a chat, the worker's JSON log lines with their ids, and an API process
(``ferag api``, several uvicorn processes) whose every log line is JSON, uvicorn's included.

The cycle test runs its own API and worker on a Redis database of its own (the session's shared
worker does not take its steps) and a home of its own (an empty GraphRAG cache, so the index
step makes real model requests).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from ferag.settings import Settings
from ferag.stack.servers import free_port
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.pipeline import STEP_NAMES
from tests.e2e.review_flow import FIRST_UPLOAD, approve, upload, wait_for_review
from tests.factories import create_account, create_rag
from tests.prometheus_text import scrape, total
from tests.workers import settings_env, start_worker
from tests.wsclient import follow

pytestmark = pytest.mark.slow


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON log line in {path.name}: {line!r}") from None
    return parsed


@pytest.fixture()
def own(settings: Settings, tmp_path: Path) -> Settings:
    """The session's servers, with a Redis database and a home no other test uses."""
    redis_url = f"{settings.require('redis_url')[:-1]}3"
    Redis.from_url(redis_url).flushdb()
    return settings.model_copy(update={"redis_url": redis_url, "home": tmp_path / "home"})


def test_a_cycle_and_a_chat_show_in_metrics_and_worker_log_lines_carry_their_ids(
    own: Settings, tmp_path: Path
) -> None:
    from ferag.api.app import create_app

    port = free_port()
    log_path = tmp_path / "worker.log"
    worker = start_worker(
        own,
        log_path,
        FERAG_REDIS_URL=own.require("redis_url"),
        FERAG_LOG_JSON="true",
        FERAG_WORKER_METRICS_PORT=str(port),
    )
    try:
        with (
            ThreadedServer(create_app(own)) as server,
            httpx.Client(base_url=server.url, timeout=60) as client,
        ):
            owner = create_account(client)
            rag_id = create_rag(client, owner, "observed")
            response = client.post(
                f"/rags/{rag_id}/upload",
                headers=owner.headers,
                files=[("files", ("team.txt", FIRST_UPLOAD["team/finance.txt"], "text/plain"))],
            )
            assert response.status_code == 202, response.text
            accepted = response.json()
            received = asyncio.run(follow(server.url, accepted["task_id"], token=owner.token))
            assert received.events[-1]["status"] == "done", received.events[-1]
            cycle_id = accepted["cycle_id"]
            wait_for_review(client, owner, rag_id, cycle_id)
            approve(client, owner, rag_id, cycle_id)
            second = upload(client, owner, rag_id, {"more.txt": b"Igor Sokolov lives in Kazan."})
            # the metrics registry is the test process's: other tests' chats count there too
            before = scrape(f"{server.url}/metrics")
            chat = client.post(
                f"/rags/{rag_id}/chat",
                json={"question": "Who is Elena Kuznetsova?"},
                headers=owner.headers,
            )
            assert chat.status_code == 200, chat.text
            wait_for_review(client, owner, rag_id, second)
            api = scrape(f"{server.url}/metrics")
        workers = scrape(f"http://127.0.0.1:{port}/metrics")
    finally:
        worker.stop()

    # The API: cycles by state (from the database), the chat's phases and context, the chat's
    # model call, the upload, the socket and the fan-out of the events it received.
    assert total(api, "ferag_cycles", state="approved") >= 1
    assert total(api, "ferag_cycles", state="review") >= 1
    assert {labels["state"] for labels, _ in api["ferag_cycles"]} >= {"pending", "failed"}

    def grown(name: str, **labels: str) -> float:
        return total(api, name, **labels) - total(before, name, **labels)

    for phase in ("linking", "retrieval", "prompt", "generation", "total"):
        assert grown("ferag_chat_phase_duration_seconds_count", phase=phase) == 1, phase
    assert grown("ferag_chat_context_items_sum", kind="entities") >= 1
    assert grown("ferag_chat_context_items_count", kind="passages") == 1
    assert grown("ferag_chat_turns_total", cached="false") == 1
    assert grown("ferag_chat_tokens_total", kind="prompt") > 0
    assert grown("ferag_chat_tokens_total", kind="context") > 0
    assert grown("ferag_chat_tokens_total", kind="completion") > 0
    assert grown("ferag_llm_requests_total", step="chat", outcome="ok") == 1
    assert grown("ferag_llm_tokens_total", step="chat", kind="prompt") > 0
    assert grown("ferag_llm_request_duration_seconds_count", step="chat") == 1
    uploaded = len(FIRST_UPLOAD["team/finance.txt"])
    assert total(api, "ferag_upload_bytes_total", outcome="accepted") > uploaded
    assert total(api, "ferag_event_fanout_seconds_count") >= len(received.events) // 2
    assert total(api, "ferag_ws_subscribers") == 0  # the socket has closed

    # The worker: every step of both cycles timed, GraphRAG's and ferag's own model calls.
    for step in STEP_NAMES:
        assert total(workers, "ferag_step_duration_seconds_count", step=step, outcome="done") == 2
    assert total(workers, "ferag_llm_requests_total", step="index", outcome="ok") > 0
    assert total(workers, "ferag_llm_tokens_total", step="index", kind="completion") > 0
    assert total(workers, "ferag_llm_requests_total", step="schema") > 0
    assert total(workers, "ferag_llm_request_duration_seconds_count", step="schema") > 0

    # Every line of the worker's log is JSON; a step's lines carry the ids of its cycle.
    lines = json_lines(log_path)
    started = [line for line in lines if " started" in line["message"] and "step" in line]
    by_cycle = {line["cycle_id"]: line for line in started if line["step"] == "index"}
    first = by_cycle[cycle_id]
    assert first["rag_id"] == rag_id
    assert first["task_id"] == accepted["task_id"]
    assert first["celery_task_id"]
    assert {line["step"] for line in started if line["cycle_id"] == cycle_id} == set(STEP_NAMES)


@pytest.fixture()
def api_process(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``ferag api`` with two uvicorn processes and JSON logs; its URL and its log file."""
    port = free_port()
    env = settings_env(
        settings,
        FERAG_HOME=str(tmp_path / "home"),
        FERAG_API_PORT=str(port),
        FERAG_API_WORKERS="2",
        FERAG_LOG_JSON="true",
        FERAG_LOG_LEVEL="INFO",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = tmp_path / "api.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ferag.cli.main", "api"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/metrics", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        yield url, log_path
    finally:
        process.terminate()
        process.wait(60)


def test_every_line_of_the_api_log_is_json_uvicorn_access_and_errors_included(
    api_process: tuple[str, Path],
) -> None:
    url, log_path = api_process
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/no-such-page").status_code == 404
        refused = client.post("/auth/login", data={"username": "x@y.z", "password": "wrong"})
        assert refused.status_code in (400, 401, 422)
        for _ in range(4):  # reach both processes
            client.get("/health")
        metrics = scrape(f"{url}/metrics")
    time.sleep(0.5)  # access lines are written after the response

    assert total(metrics, "ferag_http_requests_total", route="unmatched", status="404") == 1
    assert {labels["state"] for labels, _ in metrics["ferag_cycles"]} >= {"running", "review"}
    assert "ferag_ws_subscribers" in metrics

    lines = json_lines(log_path)
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.access", "uvicorn.error", "ferag.api.app"} <= loggers, loggers
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any("/no-such-page" in line["message"] and "404" in line["message"] for line in access)
    assert not any("color_message" in line for line in lines)
    requests = [
        line for line in lines if line["logger"] == "ferag.api.app" and "ms" in line["message"]
    ]
    assert requests and all(line["request_id"] for line in requests)
