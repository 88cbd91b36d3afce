"""Two uploads through the real pipeline (GraphRAG on the offline stand-in, a real Celery
worker), reviewed and approved over HTTP: the second upload mentions people and a bank of the
first again, with newer descriptions and another spelling of the bank's name."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import store_from_settings
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_account, create_rag
from tests.fixtures.documents import zip_bytes
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

FIRST_UPLOAD = {
    "team/finance.txt": b"Elena Kuznetsova works at Kama Bank in Kazan. "
    b"Kama Bank is a regional bank that lends to freight companies.\n",
    "team/warehouse.txt": b"Igor Sokolov manages the cold warehouse in Novosibirsk. "
    b"Igor Sokolov reports to Elena Kuznetsova on costs.\n",
}
SECOND_UPLOAD = {
    "news/2025.txt": b"Kama-Bank LLC opened a new office in Moscow. "
    b"Elena Kuznetsova now leads the treasury of Kama-Bank. "
    b"Dmitry Volkov joined Kama-Bank as a credit analyst.\n",
}


def upload(client: httpx.Client, owner: Account, rag_id: int, files: dict[str, bytes]) -> int:
    response = client.post(
        f"/rags/{rag_id}/upload",
        headers=owner.headers,
        files=[("files", ("upload.zip", zip_bytes(files), "application/zip"))],
    )
    assert response.status_code == 202, response.text
    return int(response.json()["cycle_id"])


def wait_for_review(
    client: httpx.Client, owner: Account, rag_id: int, cycle_id: int, timeout: float = 300
) -> None:
    deadline = time.monotonic() + timeout
    cycle: dict[str, Any] = {}
    while time.monotonic() < deadline:
        cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
        if cycle["status"] not in ("pending", "running"):
            assert cycle["status"] == "review", cycle
            return
        time.sleep(0.5)
    raise AssertionError(f"cycle {cycle_id} did not reach review: {cycle}")


def read_diff(client: httpx.Client, owner: Account, rag_id: int, cycle_id: int) -> dict[str, Any]:
    response = client.get(
        f"/rags/{rag_id}/cycles/{cycle_id}/diff", params={"limit": 200}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def approve(client: httpx.Client, owner: Account, rag_id: int, cycle_id: int) -> int:
    response = client.post(f"/rags/{rag_id}/cycles/{cycle_id}/approve", headers=owner.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["number"])


def labelled(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["label"]: item for item in items}


def test_two_uploads_are_reviewed_approved_and_rolled_back(
    client: httpx.Client, settings: Settings, worker: WorkerProcess
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner, "kama")
    first = upload(client, owner, rag_id, FIRST_UPLOAD)
    wait_for_review(client, owner, rag_id, first)

    first_diff = read_diff(client, owner, rag_id, first)
    added = labelled(first_diff["entities"]["added"])
    assert {"Elena Kuznetsova", "Kama Bank", "Igor Sokolov", "Kazan", "Novosibirsk"} <= set(added)
    assert added["Kama Bank"]["provenance"][0]["path"] == "team/finance.txt"
    assert first_diff["counts"]["entities_changed"] == 0
    # Counted once, when the cycle was staged; the diff reports those counts.
    cycle = client.get(f"/rags/{rag_id}/cycles/{first}", headers=owner.headers).json()
    staged_counts = cycle["steps"]["staging"]["stats"]["diff_counts"]
    assert staged_counts["entities_added"] == len(added) > 0
    assert {name: first_diff["counts"][name] for name in staged_counts} == staged_counts
    assert first_diff["relations"]["added"] and first_diff["ontology"]["added"]
    assert approve(client, owner, rag_id, first) == 1

    second = upload(client, owner, rag_id, SECOND_UPLOAD)
    wait_for_review(client, owner, rag_id, second)
    second_diff = read_diff(client, owner, rag_id, second)

    assert {"Dmitry Volkov", "Moscow"} <= set(labelled(second_diff["entities"]["added"]))
    changed = labelled(second_diff["entities"]["changed"])
    elena, bank = changed["Elena Kuznetsova"], changed["Kama Bank"]
    # The second cycle resolves them to the IRIs production already has: no duplicates.
    assert elena["iri"] == added["Elena Kuznetsova"]["iri"]
    assert bank["iri"] == added["Kama Bank"]["iri"]
    assert not {"Elena Kuznetsova", "Kama Bank"} & set(labelled(second_diff["entities"]["added"]))
    assert elena["old_description"] == added["Elena Kuznetsova"]["description"]
    assert "treasury" in elena["description"] and "treasury" not in elena["old_description"]
    assert elena["provenance"][0]["path"] == "news/2025.txt"
    assert bank["new_aliases"] == ["Kama-Bank"]
    assert second_diff["counts"]["aliases_added"] >= 1

    store = store_from_settings(settings)
    iris = RagIris(str(settings.base_iri), str(rag_id))
    version1 = store.get_graph(rag_id, str(iris.graph("prod")))
    assert approve(client, owner, rag_id, second) == 2
    rolled = client.post(f"/rags/{rag_id}/versions/1/rollback", headers=owner.headers)
    assert rolled.status_code == 200, rolled.text
    lines = set(store.get_graph(rag_id, str(iris.graph("prod"))).decode().splitlines())
    assert lines == set(version1.decode().splitlines())
    store.close()
