"""Reviewing change sets over HTTP on real servers: diff, approve, reject, stale and rebase.

Cycles are built by ``create_review_cycle`` (the real merge over hand-made candidate graphs,
no GraphRAG) from the two-cycle corpus of ``tests.fixtures.review``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from sqlalchemy import select

from ferag.db.models import EntityIndexEntry
from ferag.settings import Settings
from ferag.store.client import TripleStore, store_from_settings
from graphrag_lib.vocab import RagIris
from tests.conftest import Stack
from tests.factories import (
    Account,
    create_account,
    create_rag,
    create_review_cycle,
    session_factory,
)
from tests.fixtures.review import (
    FIRST_ENTITIES,
    MERGED_ALICE,
    NEW_ALICE,
    OLD_ALICE,
    Q1_PATH,
    Q2_PATH,
    entity,
    first_candidate,
    second_candidate,
)
from tests.workers import WorkerProcess


def iris_of(settings: Settings, rag_id: int) -> RagIris:
    return RagIris(str(settings.base_iri), str(rag_id))


def read_diff(
    client: httpx.Client, who: Account, rag_id: int, cycle_id: int, **params: Any
) -> dict[str, Any]:
    response = client.get(
        f"/rags/{rag_id}/cycles/{cycle_id}/diff", params=params, headers=who.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def approve(client: httpx.Client, who: Account, rag_id: int, cycle_id: int) -> httpx.Response:
    return client.post(f"/rags/{rag_id}/cycles/{cycle_id}/approve", headers=who.headers)


def cycle_status(client: httpx.Client, who: Account, rag_id: int, cycle_id: int) -> str:
    response = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=who.headers)
    return str(response.json()["status"])


def production(store: TripleStore, iris: RagIris, rag_id: int) -> set[str]:
    data = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
    return {line for line in data.splitlines() if line.strip()}


def by_label(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["label"]: item for item in items}


def test_diff_of_a_first_cycle_lists_its_additions_with_provenance(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris_of(settings, rag_id)))

    diff = read_diff(client, owner, rag_id, cycle_id)

    counts = diff["counts"]
    assert counts["entities_added"] == len(FIRST_ENTITIES) == len(diff["entities"]["added"])
    assert counts["relations_added"] == 3
    assert counts["entities_changed"] == counts["entities_removed"] == 0
    assert counts["triples_removed"] == 0 and counts["triples_added"] > 100
    added = by_label(diff["entities"]["added"])
    assert set(added) == FIRST_ENTITIES
    alice = added["Alice Smith"]
    assert alice["description"] == OLD_ALICE and "Person" in alice["classes"]
    (source,) = alice["provenance"]
    assert source["path"] == Q1_PATH and "Alice Smith works for Acme Corp" in source["snippet"]
    works = next(r for r in diff["relations"]["added"] if r["subject"]["label"] == "Alice Smith")
    assert works["object"]["label"] == "Acme Corp" and works["provenance"][0]["path"] == Q1_PATH
    classes = {term["label"] for term in diff["ontology"]["added"]}
    assert {"Person", "Organization", "Geo"} <= classes


def test_diff_of_a_second_cycle_shows_changed_descriptions_and_new_aliases(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    assert approve(client, owner, rag_id, first).json()["number"] == 1
    second = create_review_cycle(settings, rag_id, second_candidate(iris))

    diff = read_diff(client, owner, rag_id, second)

    assert diff["base_version"] == 1
    assert {e["label"] for e in diff["entities"]["added"]} == {"ACME Corporation"}
    changed = by_label(diff["entities"]["changed"])
    alice, acme = changed["Alice Smith"], changed["Acme Corp"]
    assert (alice["old_description"], alice["description"]) == (OLD_ALICE, MERGED_ALICE)
    assert alice["provenance"][0]["path"] == Q2_PATH
    assert "leads the rocket team" in alice["provenance"][0]["snippet"]
    assert acme["new_aliases"] == ["Acme Corp."]
    assert diff["counts"]["aliases_added"] == 1
    assert diff["counts"]["descriptions_changed"] == 1
    (relation,) = diff["relations"]["changed"]  # restated: a new passage, the fact untouched
    assert relation["old_description"] is None
    assert relation["description"] == "Alice Smith works for Acme Corp"

    version = approve(client, owner, rag_id, second)
    assert version.status_code == 200, version.text
    assert version.json()["number"] == 2 and version.json()["cycle_id"] == second
    triples = production(store, iris, rag_id)
    alice_iri = entity(iris, "Alice Smith")
    assert any(f"<{alice_iri}>" in t and NEW_ALICE in t for t in triples)
    assert not any(f"<{alice_iri}>" in t and f'"{OLD_ALICE}"' in t and "description>" in t
                   for t in triples)  # fmt: skip
    assert cycle_status(client, owner, rag_id, second) == "approved"


def test_diff_pages_one_section_at_a_time(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris_of(settings, rag_id)))

    pages = [
        read_diff(client, owner, rag_id, cycle_id, section="entities_added", offset=o, limit=2)
        for o in (0, 2, 4, 6)
    ]

    labels = [e["label"] for page in pages for e in page["entities"]["added"]]
    assert [len(p["entities"]["added"]) for p in pages] == [2, 2, 1, 0]
    assert sorted(labels) == sorted(FIRST_ENTITIES)
    assert all(p["relations"]["added"] == [] for p in pages)  # other sections are not paged
    assert all(p["counts"]["entities_added"] == 5 for p in pages)


def test_of_two_concurrent_approvals_exactly_one_wins(each_stack: Stack) -> None:
    settings = each_stack.settings
    with httpx.Client(base_url=each_stack.api_url, timeout=60) as client:
        owner = create_account(client)
        rag_id = create_rag(client, owner)
        iris = iris_of(settings, rag_id)
        cycles = [
            create_review_cycle(settings, rag_id, first_candidate(iris)),
            create_review_cycle(settings, rag_id, second_candidate(iris)),
        ]
        answers: dict[int, httpx.Response] = {}
        start = threading.Barrier(len(cycles))

        def run(cycle_id: int) -> None:
            with httpx.Client(base_url=each_stack.api_url, timeout=60) as own:
                start.wait()
                answers[cycle_id] = approve(own, owner, rag_id, cycle_id)

        threads = [threading.Thread(target=run, args=(c,)) for c in cycles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        codes = sorted(answers[c].status_code for c in cycles)
        assert codes == [200, 409], [answers[c].text for c in cycles]
        (winner,) = (c for c in cycles if answers[c].status_code == 200)
        (loser,) = (c for c in cycles if c != winner)
        assert answers[loser].json()["error"]["code"] == "cycle_stale"
        assert cycle_status(client, owner, rag_id, loser) == "stale"
        versions = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()
        assert versions["current"] == 1 and versions["data"][0]["cycle_id"] == winner
        winner_diff = read_diff(client, owner, rag_id, winner)
    store = store_from_settings(settings)
    assert len(production(store, iris, rag_id)) == winner_diff["counts"]["triples_added"]
    store.close()


def wait_for_status(
    client: httpx.Client, who: Account, rag_id: int, cycle_id: int, timeout: float = 120
) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = cycle_status(client, who, rag_id, cycle_id)
        if status not in ("pending", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError(f"cycle {cycle_id} is still {status}")


def test_a_stale_approval_is_refused_and_rebase_fixes_it(
    client: httpx.Client, owner: Account, settings: Settings, worker: WorkerProcess
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    # Computed on the empty production too, so it would add Alice rather than change her.
    second = create_review_cycle(settings, rag_id, second_candidate(iris))
    assert by_label(read_diff(client, owner, rag_id, second)["entities"]["added"])["Alice Smith"]
    assert approve(client, owner, rag_id, first).status_code == 200

    refused = approve(client, owner, rag_id, second)

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cycle_stale"
    assert "rebase" in refused.json()["error"]["message"]
    assert cycle_status(client, owner, rag_id, second) == "stale"

    rebased = client.post(f"/rags/{rag_id}/cycles/{second}/rebase", headers=owner.headers)
    assert rebased.status_code == 202, rebased.text
    assert wait_for_status(client, owner, rag_id, second) == "review"
    cycle = client.get(f"/rags/{rag_id}/cycles/{second}", headers=owner.headers).json()
    assert cycle["base_version"] == 1
    diff = read_diff(client, owner, rag_id, second)
    alice = by_label(diff["entities"]["changed"])["Alice Smith"]
    assert (alice["old_description"], alice["description"]) == (OLD_ALICE, MERGED_ALICE)
    assert approve(client, owner, rag_id, second).json()["number"] == 2


def test_reject_discards_the_change_set_and_leaves_production_alone(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))

    rejected = client.post(f"/rags/{rag_id}/cycles/{cycle_id}/reject", headers=owner.headers)

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert store.get_graph(rag_id, str(iris.graph(f"cycle/{cycle_id}/add"))) == b""
    assert production(store, iris, rag_id) == set()
    refused = approve(client, owner, rag_id, cycle_id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cycle_not_in_review"
    diff = client.get(f"/rags/{rag_id}/cycles/{cycle_id}/diff", headers=owner.headers)
    assert diff.status_code == 409
    events = client.get(f"/tasks/{rejected.json()['task_id']}/events", headers=owner.headers)
    last = events.json()["data"][-1]
    assert (last["step"], last["data"]) == ("review", {"decision": "rejected"})


def test_an_approved_cycle_is_not_approved_twice(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris_of(settings, rag_id)))
    assert approve(client, owner, rag_id, cycle_id).status_code == 200

    again = approve(client, owner, rag_id, cycle_id)

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "cycle_not_in_review"
    versions = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()
    assert versions["count"] == 1


def test_approval_refreshes_the_chat_entity_index(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    approve(client, owner, rag_id, first)
    second = create_review_cycle(settings, rag_id, second_candidate(iris))
    approve(client, owner, rag_id, second)

    with session_factory(settings.require("database_url"))() as db:
        rows = db.scalars(select(EntityIndexEntry).where(EntityIndexEntry.rag_id == rag_id))
        index = {row.label: row for row in rows}

    assert set(index) == FIRST_ENTITIES | {"ACME Corporation"}
    assert index["Alice Smith"].description == MERGED_ALICE
    assert "Acme Corp." in index["Acme Corp"].aliases.splitlines()
