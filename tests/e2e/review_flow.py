"""Two uploads for the end-to-end tests, and the HTTP steps of reviewing them: upload, wait for
review, read the diff, approve. The second upload mentions people and a bank of the first
again, with newer descriptions and another spelling of the bank's name
(``tests/e2e/test_store_journey.py`` walks them through on both stores)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.factories import Account
from tests.fixtures.documents import zip_bytes

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
