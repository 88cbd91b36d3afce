"""Finding production's entities by name (``GET /rags/{id}/entities``): how a reviewer picks the
entities of an owner's merge, and what tools search with."""

from __future__ import annotations

from typing import Any

import httpx

from ferag.settings import Settings
from tests.factories import Account, create_account, create_rag, create_review_cycle
from tests.fixtures.review import entity, first_candidate
from tests.integration.api.test_review import approve, iris_of


def find(client: httpx.Client, who: Account, rag_id: int, q: str, **params: Any) -> httpx.Response:
    return client.get(f"/rags/{rag_id}/entities", params={"q": q, **params}, headers=who.headers)


def test_entities_are_found_by_name_spelling_and_case_form_for_members_only(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
    assert find(client, owner, rag_id, "Alice").json()["data"] == []  # nothing approved yet
    assert approve(client, owner, rag_id, cycle_id).status_code == 200

    alice = find(client, owner, rag_id, "alice smith").json()["data"]
    assert alice[0]["iri"] == entity(iris, "Alice Smith")
    assert alice[0]["label"] == "Alice Smith" and "engineer" in alice[0]["description"]
    # a Russian name in another case ("Ивана Петрова": genitive)
    petrov = find(client, owner, rag_id, "Ивана Петрова").json()["data"]
    assert [hit["label"] for hit in petrov][:1] == ["Иван Петров"]
    assert len(find(client, owner, rag_id, "Acme Berlin Alice", limit=1).json()["data"]) == 1
    # text that would break a query is only text
    assert find(client, owner, rag_id, "'); DROP TABLE entity_index; --").status_code == 200

    assert find(client, owner, rag_id, "").status_code == 422
    assert find(client, owner, rag_id, "x" * 201).status_code == 422
    stranger = create_account(client)
    assert find(client, stranger, rag_id, "Alice").status_code == 404
