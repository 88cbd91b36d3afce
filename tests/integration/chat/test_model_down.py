"""Chat when the model fails: an API whose model endpoint is down, never answers, or refuses the
model name answers 503 ``llm_unavailable`` / 502 ``llm_rejected`` (in ferag's shape on
``/rags/{id}/chat``, in OpenAI's on ``/v1/chat/completions``), whole and streamed, and records
no turn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.stack.servers import free_port
from ferag.stack.threaded import ThreadedServer
from tests.fixtures.stalled_model import StalledModel
from tests.integration.chat.conftest import ChatRag
from tests.integration.chat.sse import stream_events

QUESTION = "Where does Alice Smith work?"


@pytest.fixture(scope="module")
def stalled_url() -> Iterator[str]:
    model = StalledModel()
    with ThreadedServer(model) as server:
        yield f"{server.url}/v1"
        model.release()


@pytest.fixture(scope="module", params=["down", "stalled", "refusing"])
def broken(
    request: pytest.FixtureRequest, settings: Settings, llm_url: str, stalled_url: str
) -> Iterator[tuple[str, str, int]]:
    """An API process-in-a-thread whose model fails, and the error code and status it should
    answer (503: the model is unavailable, retry; 502: it refused what ferag asked)."""
    from ferag.api.app import create_app

    failures: dict[str, tuple[dict[str, Any], str, int]] = {
        "down": ({"llm_base_url": f"http://127.0.0.1:{free_port()}/v1"}, "llm_unavailable", 503),
        "stalled": ({"llm_base_url": stalled_url, "chat_timeout_s": 1.0}, "llm_unavailable", 503),
        "refusing": ({"llm_base_url": llm_url, "chat_model": "no-such-model"}, "llm_rejected", 502),
    }
    update, code, status = failures[request.param]
    with ThreadedServer(create_app(settings.model_copy(update=update))) as server:
        yield server.url, code, status


def _sessions(http: httpx.Client, chat_rag: ChatRag) -> int:
    url = f"/rags/{chat_rag.rag_id}/chat/sessions"
    count: int = http.get(url, headers=chat_rag.viewer.headers).json()["count"]
    return count


def test_chat_answers_with_the_models_error(
    broken: tuple[str, str, int], chat_rag: ChatRag
) -> None:
    api, code, status = broken
    url = f"/rags/{chat_rag.rag_id}/chat"
    headers = chat_rag.viewer.headers
    with httpx.Client(base_url=api, timeout=30) as http:
        before = _sessions(http, chat_rag)
        whole = http.post(url, json={"question": QUESTION}, headers=headers)
        assert whole.status_code == status, whole.text
        assert whole.json()["error"]["code"] == code
        events = stream_events(http, url, {"question": QUESTION, "stream": True}, headers)
        assert [e.event for e in events] == ["context", "error"]
        assert events[-1].json()["error"]["code"] == code
        assert _sessions(http, chat_rag) == before


def test_openai_api_answers_with_the_models_error(
    broken: tuple[str, str, int], chat_rag: ChatRag
) -> None:
    api, code, status = broken
    body = {"model": f"rag-{chat_rag.rag_id}", "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.Client(base_url=api, timeout=30) as http:
        key = http.post("/auth/api-keys", json={"name": code}, headers=chat_rag.viewer.headers)
        headers = {"Authorization": f"Bearer {key.json()['key']}"}
        whole = http.post("/v1/chat/completions", json=body, headers=headers)
        assert whole.status_code == status, whole.text
        assert whole.json()["error"]["code"] == code
        assert whole.json()["error"]["type"] == "server_error"
        streamed = http.post("/v1/chat/completions", json={**body, "stream": True}, headers=headers)
    assert streamed.status_code == 200
    lines = [line for line in streamed.text.splitlines() if line.startswith("data:")]
    assert f'"code": "{code}"' in lines[-1] and '"error"' in lines[-1]
