"""A store or database failure reaches the user once, in one shape, with what to do:
``{"error": {"code", "message", ...}}`` on ferag's routes and OpenAI's shape on ``/v1``. Each
case runs a second API against a broken component (model failures: ``test_model_down``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.integration.chat.conftest import ChatRag
from tests.integration.chat.test_openai_api import create_key

QUESTION = "Where does Alice Smith work?"  # links entities, so the model is asked


@contextmanager
def api_with(settings: Settings, **broken: Any) -> Iterator[httpx.Client]:
    from ferag.api.app import create_app

    with (
        ThreadedServer(create_app(settings.model_copy(update=broken))) as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        yield http


def ask(http: httpx.Client, chat_rag: ChatRag) -> httpx.Response:
    return http.post(
        f"/rags/{chat_rag.rag_id}/chat",
        json={"question": QUESTION},
        headers=chat_rag.viewer.headers,
    )


def test_a_store_outage_is_503_store_unavailable_on_chat_and_v1(
    client: httpx.Client, settings: Settings, chat_rag: ChatRag
) -> None:
    key = create_key(client, chat_rag.viewer)["key"]
    with api_with(settings, store_url="http://127.0.0.1:9") as http:
        response = ask(http, chat_rag)
        v1 = http.post(
            "/v1/chat/completions",
            json={
                "model": f"rag-{chat_rag.rag_id}",
                "messages": [{"role": "user", "content": QUESTION}],
            },
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "store_unavailable" and error["request_id"]
    assert error["message"].startswith("the triple store failed to read the RAG's graph: ")
    assert error["message"].endswith("; retry when the store is back")
    assert v1.status_code == 503
    assert v1.json()["error"] == {
        "message": error["message"],
        "type": "server_error",
        "param": None,
        "code": "store_unavailable",
    }


def test_a_database_outage_is_503_database_unavailable(
    settings: Settings, chat_rag: ChatRag
) -> None:
    broken = "postgresql+psycopg2://ferag:ferag@127.0.0.1:9/ferag"
    with api_with(settings, database_url=broken) as http:
        response = http.get("/rags", headers=chat_rag.viewer.headers)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"] == (
        "the database is unavailable; retry when it is back (FERAG_DATABASE_URL)"
    )
