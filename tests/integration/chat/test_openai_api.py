"""The OpenAI-compatible API with the real ``openai`` client: models, completions whole and
streamed, API keys (a revoked key is refused), and OpenAI-shaped errors."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import openai
import pytest

from tests.factories import Account, create_account, create_rag
from tests.integration.chat.conftest import ChatRag


def create_key(client: httpx.Client, account: Account, name: str = "tests") -> dict[str, str]:
    response = client.post("/auth/api-keys", json={"name": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def openai_client(api_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api_url}/v1", api_key=key, max_retries=0, timeout=30)


@pytest.fixture(scope="module")
def key(api_url: str, chat_rag: ChatRag) -> str:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        return create_key(http, chat_rag.viewer)["key"]


def test_keys_are_shown_once_and_listed_by_prefix(client: httpx.Client) -> None:
    account = create_account(client)
    created = create_key(client, account, "open-webui")
    assert created["key"].startswith("frg_") and len(created["key"]) > 40
    assert created["key"].startswith(created["prefix"])
    listing = client.get("/auth/api-keys", headers=account.headers).json()
    assert listing["count"] == 1
    (row,) = listing["data"]
    assert row["name"] == "open-webui" and "key" not in row and row["revoked_at"] is None
    assert created["key"] not in str(listing)
    other = create_account(client)
    assert client.get("/auth/api-keys", headers=other.headers).json()["count"] == 0
    assert client.delete(f"/auth/api-keys/{row['id']}", headers=other.headers).status_code == 404


def test_models_are_the_callers_rags(client: httpx.Client, api_url: str, chat_rag: ChatRag) -> None:
    own_rag = create_rag(client, chat_rag.viewer, "viewer's own")
    create_rag(client, create_account(client), "someone else's")
    key = create_key(client, chat_rag.viewer)["key"]
    models = openai_client(api_url, key).models.list()
    ids = {m.id for m in models.data}
    assert ids == {f"rag-{chat_rag.rag_id}", f"rag-{own_rag}"}
    card = openai_client(api_url, key).models.retrieve(f"rag-{chat_rag.rag_id}")
    assert card.owned_by == "ferag" and card.model_extra and card.model_extra["name"]


def test_completion(api_url: str, chat_rag: ChatRag, key: str) -> None:
    completion = openai_client(api_url, key).chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=[
            {"role": "system", "content": "You are a pirate."},  # ignored: ferag's prompt rules
            {"role": "user", "content": "Where does Alice Smith work?"},
        ],
    )
    content = completion.choices[0].message.content or ""
    assert content.startswith("Alice Smith works for Acme Corp [1]")
    assert "\n\nSources:\n[1] Staff report — hr/2024/staff.txt, passage 1" in content
    assert completion.usage and completion.usage.total_tokens > 0
    extra = completion.model_extra or {}
    assert extra["citations"][0]["iri"] == chat_rag.passage("alice")
    # no debugging payload by default: the context only on request
    assert set(extra["ferag"]) == {"session_id", "message_id", "time", "cached"}
    assert extra["ferag"]["cached"] is False  # the shared test stack runs without the cache
    assert len(completion.model_dump_json()) < 4_000


def test_debug_returns_the_context(api_url: str, chat_rag: ChatRag, key: str) -> None:
    ask = openai_client(api_url, key).chat.completions.create
    for extension in ({"extra_query": {"debug": "true"}}, {"extra_body": {"debug": True}}):
        completion = ask(
            model=f"rag-{chat_rag.rag_id}",
            messages=[{"role": "user", "content": "Where does Alice Smith work?"}],
            **extension,
        )
        context = (completion.model_extra or {})["ferag"]
        assert context["entities"][0]["iri"] == chat_rag.entity("alice")
        assert context["sparql"] and context["references"] and "timings_ms" in context


def test_streaming_completion(api_url: str, chat_rag: ChatRag, key: str) -> None:
    stream = openai_client(api_url, key).chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=[{"role": "user", "content": "Где живёт Иван Петров?"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Иван Петров живёт в Москве [1]" in text and "\n\nSources:\n[1] Московский" in text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage and chunks[-1].usage.completion_tokens > 0


def test_a_named_conversation_keeps_one_session(api_url: str, chat_rag: ChatRag, key: str) -> None:
    client = openai_client(api_url, key)
    conversation = f"conversation-{uuid.uuid4().hex[:6]}"
    first_question = "What is Project Falcon?"
    first = client.chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=[{"role": "user", "content": first_question}],
        user=conversation,
    )
    answer = first.choices[0].message.content or ""
    follow_up: list[Any] = [
        {"role": "user", "content": first_question},
        {"role": "assistant", "content": answer},
        {"role": "user", "content": "And what is its budget?"},
    ]
    second = client.chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=follow_up,
        user=conversation,
    )
    assert "4 million euros" in (second.choices[0].message.content or "")
    sessions = [(c.model_extra or {})["ferag"]["session_id"] for c in (first, second)]
    assert sessions[0] == sessions[1]

    # Unnamed, the same request is a conversation of its own, its messages its history.
    unnamed = client.chat.completions.create(model=f"rag-{chat_rag.rag_id}", messages=follow_up)
    assert "4 million euros" in (unnamed.choices[0].message.content or "")
    assert (unnamed.model_extra or {})["ferag"]["session_id"] not in sessions


def test_a_revoked_key_is_refused(client: httpx.Client, api_url: str, chat_rag: ChatRag) -> None:
    created = create_key(client, chat_rag.viewer, "to revoke")
    models = openai_client(api_url, created["key"]).models
    assert models.list().data
    revoked = client.delete(f"/auth/api-keys/{created['id']}", headers=chat_rag.viewer.headers)
    assert revoked.status_code == 204
    with pytest.raises(openai.AuthenticationError) as refused:
        models.list()
    assert refused.value.code == "invalid_api_key"
    listed = client.get("/auth/api-keys", headers=chat_rag.viewer.headers).json()["data"]
    assert next(k for k in listed if k["id"] == int(created["id"]))["revoked_at"]


def test_errors_take_openai_shape(
    client: httpx.Client, api_url: str, chat_rag: ChatRag, key: str
) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        openai_client(api_url, key).chat.completions.create(
            model="rag-999999", messages=[{"role": "user", "content": "Hi"}]
        )
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.AuthenticationError):
        openai_client(api_url, "frg_not-a-key").models.list()
    raw = client.post(
        "/v1/chat/completions",
        json={"model": f"rag-{chat_rag.rag_id}", "messages": []},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert raw.status_code == 400
    error = raw.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    anonymous = client.get("/v1/models")
    assert (
        anonymous.status_code == 401 and anonymous.json()["error"]["type"] == "authentication_error"
    )


def test_an_outsider_sees_no_model(client: httpx.Client, api_url: str, chat_rag: ChatRag) -> None:
    outsider = create_account(client)
    key = create_key(client, outsider)["key"]
    with pytest.raises(openai.NotFoundError):
        openai_client(api_url, key).chat.completions.create(
            model=f"rag-{chat_rag.rag_id}", messages=[{"role": "user", "content": "Alice?"}]
        )
