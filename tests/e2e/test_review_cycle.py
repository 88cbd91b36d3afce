"""Two uploads through the real pipeline (GraphRAG on the offline stand-in, a real Celery
worker), reviewed and approved over HTTP: the second upload mentions people and a bank of the
first again, with newer descriptions and another spelling of the bank's name."""

from __future__ import annotations

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import store_from_settings
from graphrag_lib.vocab import RagIris
from tests.e2e.review_flow import (
    FIRST_UPLOAD,
    SECOND_UPLOAD,
    approve,
    labelled,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import create_account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow


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
