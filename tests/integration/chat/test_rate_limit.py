"""Per-user rate limits of chat and embeddings: 429 with Retry-After, in ferag's shape and in
OpenAI's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis import Redis

from ferag.errors import RateLimited
from ferag.services.rate_limit import hit
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import create_account, create_rag

LIMIT = 2


@pytest.fixture(scope="module")
def limited_api(settings: Settings) -> Iterator[str]:
    """A second API process-in-a-thread with small chat and embeddings limits."""
    from ferag.api.app import create_app

    strict = settings.model_copy(
        update={
            "chat_rate_limit": LIMIT,
            "chat_rate_window_s": 3600,
            "embeddings_rate_limit": LIMIT,
            "embeddings_rate_window_s": 3600,
        }
    )
    with ThreadedServer(create_app(strict)) as server:
        yield server.url


def test_the_limit_counts_per_user_and_window(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    action = f"test-{uuid.uuid4().hex[:6]}"
    for _ in range(3):
        hit(redis, action, 1, limit=3, window_s=60)
    with pytest.raises(RateLimited) as limited:
        hit(redis, action, 1, limit=3, window_s=60)
    assert 1 <= limited.value.retry_after_s <= 60 and limited.value.status_code == 429
    hit(redis, action, 2, limit=3, window_s=60)  # another user has their own count
    hit(redis, action, 1, limit=0, window_s=60)  # 0: unlimited


def test_chat_answers_429_with_retry_after(limited_api: str) -> None:
    with httpx.Client(base_url=limited_api, timeout=30) as client:
        user = create_account(client)
        rag_id = create_rag(client, user)
        url = f"/rags/{rag_id}/chat"
        for _ in range(LIMIT):
            assert client.post(url, json={"question": "Hi?"}, headers=user.headers).is_success
        refused = client.post(url, json={"question": "Hi?"}, headers=user.headers)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        # the OpenAI-compatible API shares the user's count and answers in OpenAI's shape
        key = client.post("/auth/api-keys", json={"name": "k"}, headers=user.headers).json()["key"]
        openai_refused = client.post(
            "/v1/chat/completions",
            json={"model": f"rag-{rag_id}", "messages": [{"role": "user", "content": "Hi?"}]},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert openai_refused.status_code == 429 and openai_refused.headers["Retry-After"]
        assert openai_refused.json()["error"]["type"] == "rate_limit_error"
        # other users are not affected
        other = create_account(client)
        other_rag = create_rag(client, other)
        answer = client.post(
            f"/rags/{other_rag}/chat", json={"question": "Hi?"}, headers=other.headers
        )
        assert answer.is_success


def test_embeddings_have_a_limit_of_their_own(limited_api: str) -> None:
    with httpx.Client(base_url=limited_api, timeout=30) as client:
        user = create_account(client)
        rag_id = create_rag(client, user)
        key = client.post("/auth/api-keys", json={"name": "k"}, headers=user.headers).json()["key"]
        headers = {"Authorization": f"Bearer {key}"}
        body = {"model": f"rag-{rag_id}", "input": ["Kazan", "Казань"]}
        for _ in range(LIMIT):
            embedded = client.post("/v1/embeddings", json=body, headers=headers)
            assert embedded.status_code == 200, embedded.text
            assert len(embedded.json()["data"]) == 2

        refused = client.post("/v1/embeddings", json=body, headers=headers)

        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
        error = refused.json()["error"]
        assert error["type"] == "rate_limit_error"
        assert "FERAG_EMBEDDINGS_RATE_LIMIT" in error["message"]
        # the user's questions are counted apart
        answer = client.post(f"/rags/{rag_id}/chat", json={"question": "Hi?"}, headers=user.headers)
        assert answer.is_success
