"""Resolution under review through the real pipeline (GraphRAG on the offline stand-in, a real
Celery worker): a bilingual upload's merges show in the diff with their evidence; a reviewer's
split changes the change set and is remembered by the next cycle.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from tests.e2e.review_flow import approve, read_diff, upload, wait_for_review
from tests.factories import create_account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

FIRST_UPLOAD = {
    "en/institute.txt": b"Alexei Petrov directs the Nordvik Institute of Applied Geology. "
    b"Alexei Petrov lives in Nordvik.\n",
    "ru/institute.txt": "Алексей Петров руководит Нордвикским институтом прикладной геологии. "
    "Алексей Петров живёт в Нордвике.\n".encode(),
}
SECOND_UPLOAD = {
    "ru/news.txt": "Алексей Петров открыл новую лабораторию в Нордвике.\n".encode(),
}


def merged_pairs(diff: dict[str, Any]) -> set[tuple[str, str]]:
    records = diff["merges"]["production"] + diff["merges"]["cycle"]
    return {(r["survivor"]["iri"], r["absorbed"]["iri"]) for r in records}


def test_a_split_merge_changes_the_change_set_and_stays_split_in_the_next_cycle(
    client: httpx.Client, settings: Settings, worker: WorkerProcess
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner, "nordvik")
    first = upload(client, owner, rag_id, FIRST_UPLOAD)
    wait_for_review(client, owner, rag_id, first)

    diff = read_diff(client, owner, rag_id, first)
    assert all(
        isinstance(diff["merges"][part], list) for part in ("production", "cycle", "flagged")
    )
    within = diff["merges"]["cycle"]
    assert within, "the bilingual names of one person or institute should merge"
    record = within[0]
    assert record["absorbed_labels"] and record["signals"] and record["provenance"]
    assert record["provenance"][0]["path"] in FIRST_UPLOAD

    survivor, absorbed = record["survivor"]["iri"], record["absorbed"]["iri"]
    split = client.post(
        f"/rags/{rag_id}/cycles/{first}/decisions",
        headers=owner.headers,
        json={"action": "split", "a": survivor, "b": absorbed, "reason": "two people"},
    )
    assert split.status_code == 202, split.text
    wait_for_review(client, owner, rag_id, first)
    after_split = read_diff(client, owner, rag_id, first)
    assert (survivor, absorbed) not in merged_pairs(after_split)
    assert after_split["counts"]["entities_added"] == diff["counts"]["entities_added"] + 1
    assert approve(client, owner, rag_id, first) == 1

    second = upload(client, owner, rag_id, SECOND_UPLOAD)
    wait_for_review(client, owner, rag_id, second)
    next_diff = read_diff(client, owner, rag_id, second)
    assert not {(survivor, absorbed), (absorbed, survivor)} & merged_pairs(next_diff)
