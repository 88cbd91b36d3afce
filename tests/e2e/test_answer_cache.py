"""Approval and rollback end the answer cache's use: through the real pipeline (the shared
worker) and an API of its own with the cache on, a question cached on one production version is
answered afresh on the next, from the new production."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.e2e.review_flow import FIRST_UPLOAD, SECOND_UPLOAD, approve, upload, wait_for_review
from tests.factories import Account, create_account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

QUESTION = "Who is Elena Kuznetsova?"


def ask(client: httpx.Client, owner: Account, rag_id: int) -> dict[str, Any]:
    response = client.post(
        f"/rags/{rag_id}/chat", json={"question": QUESTION}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_approval_and_rollback_end_the_use_of_cached_answers(
    settings: Settings, worker: WorkerProcess
) -> None:
    from ferag.api.app import create_app

    cached_settings = settings.model_copy(update={"chat_cache_ttl_s": 600})
    with (
        ThreadedServer(create_app(cached_settings)) as api,
        httpx.Client(base_url=api.url, timeout=60) as client,
    ):
        owner = create_account(client)
        rag_id = create_rag(client, owner, "cached answers")
        first = upload(client, owner, rag_id, FIRST_UPLOAD)
        wait_for_review(client, owner, rag_id, first)
        assert approve(client, owner, rag_id, first) == 1

        on_first = ask(client, owner, rag_id)
        assert on_first["cached"] is False and "Kama Bank" in on_first["answer"]
        assert ask(client, owner, rag_id)["cached"] is True

        second = upload(client, owner, rag_id, SECOND_UPLOAD)
        wait_for_review(client, owner, rag_id, second)
        assert ask(client, owner, rag_id)["cached"] is True  # staged, not yet production
        assert approve(client, owner, rag_id, second) == 2
        on_second = ask(client, owner, rag_id)
        assert on_second["cached"] is False
        assert on_second["telemetry"]["production_version"] == 2
        assert "treasury" in on_second["answer"] and "treasury" not in on_first["answer"]
        assert ask(client, owner, rag_id)["cached"] is True

        rolled_back = client.post(f"/rags/{rag_id}/versions/1/rollback", headers=owner.headers)
        assert rolled_back.status_code == 200, rolled_back.text
        after_rollback = ask(client, owner, rag_id)
        assert after_rollback["cached"] is False
        assert after_rollback["telemetry"]["production_version"] == 3
        assert "treasury" not in after_rollback["answer"]
