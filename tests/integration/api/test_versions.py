"""Production versions over HTTP on real servers: the list, rollback to any earlier version
(compared as full dumps of production), undoing a rollback, and recovery of an approval whose
database commit never happened."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from ferag.db.models import EntityIndexEntry
from ferag.services.changes import APPROVAL, Change, cycle_step
from ferag.settings import Settings
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from ferag.store.versions import apply_steps
from graphrag_lib.vocab import RagIris
from tests.factories import (
    Account,
    create_rag,
    create_review_cycle,
    session_factory,
)
from tests.fixtures.review import MERGED_ALICE, OLD_ALICE, first_candidate, second_candidate


def iris_of(settings: Settings, rag_id: int) -> RagIris:
    return RagIris(str(settings.base_iri), str(rag_id))


def production(store: TripleStore, iris: RagIris, rag_id: int) -> set[str]:
    data = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
    return {line for line in data.splitlines() if line.strip()}


def approve(client: httpx.Client, who: Account, rag_id: int, cycle_id: int) -> int:
    response = client.post(f"/rags/{rag_id}/cycles/{cycle_id}/approve", headers=who.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["number"])


def rollback(client: httpx.Client, who: Account, rag_id: int, number: int) -> httpx.Response:
    return client.post(f"/rags/{rag_id}/versions/{number}/rollback", headers=who.headers)


def indexed_descriptions(settings: Settings, rag_id: int) -> dict[str, str]:
    with session_factory(settings.require("database_url"))() as db:
        rows = db.scalars(select(EntityIndexEntry).where(EntityIndexEntry.rag_id == rag_id))
        return {row.label: row.description for row in rows}


def test_rollback_restores_the_exact_previous_triples_and_can_be_undone(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    approve(client, owner, rag_id, create_review_cycle(settings, rag_id, first_candidate(iris)))
    version1 = production(store, iris, rag_id)
    approve(client, owner, rag_id, create_review_cycle(settings, rag_id, second_candidate(iris)))
    version2 = production(store, iris, rag_id)
    descriptions = indexed_descriptions(settings, rag_id)
    assert version1 != version2 and descriptions["Alice Smith"] == MERGED_ALICE

    back = rollback(client, owner, rag_id, 1)

    assert back.status_code == 200, back.text
    assert (back.json()["number"], back.json()["kind"], back.json()["rollback_to"]) == (
        3,
        "rollback",
        1,
    )
    assert production(store, iris, rag_id) == version1
    assert indexed_descriptions(settings, rag_id)["Alice Smith"] == OLD_ALICE
    assert "ACME Corporation" not in indexed_descriptions(settings, rag_id)

    undo = rollback(client, owner, rag_id, 2)  # undo the rollback

    assert undo.json()["number"] == 4
    assert production(store, iris, rag_id) == version2
    assert indexed_descriptions(settings, rag_id)["Alice Smith"] == MERGED_ALICE

    assert rollback(client, owner, rag_id, 0).json()["number"] == 5
    assert production(store, iris, rag_id) == set()
    assert indexed_descriptions(settings, rag_id) == {}
    assert rollback(client, owner, rag_id, 3).status_code == 200  # back to version 1's state
    assert production(store, iris, rag_id) == version1

    listed = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()
    assert listed["current"] == listed["count"] == 6
    kinds = [(v["number"], v["kind"], v["rollback_to"]) for v in listed["data"]]
    assert kinds == [
        (6, "rollback", 3), (5, "rollback", 0), (4, "rollback", 2), (3, "rollback", 1),
        (2, "approval", None), (1, "approval", None),
    ]  # fmt: skip
    assert listed["data"][-1]["created_by_email"] == owner.email
    assert listed["data"][-1]["counts"]["triples_added"] == len(version1)


def test_a_cycle_approved_after_a_rollback_builds_on_the_restored_state(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    approve(client, owner, rag_id, create_review_cycle(settings, rag_id, first_candidate(iris)))
    version1 = production(store, iris, rag_id)
    assert rollback(client, owner, rag_id, 0).status_code == 200
    approve(client, owner, rag_id, create_review_cycle(settings, rag_id, second_candidate(iris)))
    only_second = production(store, iris, rag_id)

    rollback(client, owner, rag_id, 1)
    assert production(store, iris, rag_id) == version1
    rollback(client, owner, rag_id, 3)
    assert production(store, iris, rag_id) == only_second


def test_rollback_refuses_the_current_and_unknown_versions(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    approve(client, owner, rag_id, create_review_cycle(settings, rag_id, first_candidate(iris)))

    current = rollback(client, owner, rag_id, 1)
    unknown = rollback(client, owner, rag_id, 7)

    assert (current.status_code, current.json()["error"]["code"]) == (409, "already_at_version")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "version_not_found")


def test_an_approval_applied_but_never_committed_is_recorded_later(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    """What a crash between the store update and the database commit leaves behind."""
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
    space = RagSpace(store, rag_id, iris)
    change = Change(1, APPROVAL, owner.id, (cycle_step(space, cycle_id),), cycle_id=cycle_id)
    apply_steps(space, change.steps, expected=0, record=change.record())

    listed = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()

    assert listed["current"] == 1
    assert (listed["data"][0]["kind"], listed["data"][0]["cycle_id"]) == ("approval", cycle_id)
    cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
    assert cycle["status"] == "approved"
    assert indexed_descriptions(settings, rag_id)["Alice Smith"] == OLD_ALICE


def test_a_guarded_update_for_the_wrong_version_changes_nothing(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
    space = RagSpace(store, rag_id, iris)
    change = Change(4, APPROVAL, owner.id, (cycle_step(space, cycle_id),), cycle_id=cycle_id)

    apply_steps(space, change.steps, expected=3, record=change.record())

    assert production(store, iris, rag_id) == set()
    listed = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()
    assert listed["current"] == 0
