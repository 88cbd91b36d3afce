"""The update cycle end to end through the HTTP API on real servers and a real Celery worker:
upload a nested mixed-format zip → GraphRAG → RDF → ontology → merge → staged change set."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import TripleStore, store_from_settings
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_rag
from tests.fixtures.documents import corpus_zip
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX ferag: <https://ferag.dev/ns#>
"""


def upload(
    client: httpx.Client, owner: Account, rag_id: int, name: str, data: bytes
) -> dict[str, Any]:
    response = client.post(
        f"/rags/{rag_id}/upload",
        headers=owner.headers,
        files=[("files", (name, data, "application/zip"))],
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


def wait_for_cycle(
    client: httpx.Client, owner: Account, rag_id: int, cycle_id: int, timeout: float = 300
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
        if cycle["status"] in ("review", "failed", "cancelled"):
            return dict(cycle)
        time.sleep(0.5)
    raise AssertionError(f"cycle {cycle_id} did not finish: {cycle}")


def select(store: TripleStore, rag_id: int, query: str) -> list[dict[str, str]]:
    rows = store.select(rag_id, PREFIXES + query)
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def staged(iris: RagIris, cycle_id: int, name: str) -> str:
    return f"<{iris.graph(f'cycle/{cycle_id}/{name}')}>"


def test_upload_reaches_review_with_a_typed_graph(
    client: httpx.Client, owner: Account, settings: Settings, worker: WorkerProcess
) -> None:
    rag_id = create_rag(client, owner, "borealis")
    accepted = upload(client, owner, rag_id, "corpus.zip", corpus_zip())
    cycle = wait_for_cycle(client, owner, rag_id, accepted["cycle_id"])
    assert cycle["status"] == "review", cycle["error"]
    assert cycle["documents"] == accepted["documents"] >= 9
    assert all(
        cycle["steps"][s]["status"] == "done"
        for s in ("index", "to_rdf", "schema", "merge", "staging")
    )

    store = store_from_settings(settings)
    iris = RagIris(str(settings.base_iri), str(rag_id))
    add = staged(iris, accepted["cycle_id"], "add")

    # Entities: labelled, typed by an ontology class that the change set declares.
    typed = select(
        store,
        rag_id,
        f"""
        SELECT ?e ?label ?class WHERE {{ GRAPH {add} {{
            ?e a ferag:Entity ; rdfs:label ?label ; a ?class .
            ?class a owl:Class . }} }}""",
    )
    labels = {row["label"] for row in typed}
    assert {"Anna Smirnova", "Kazan"} <= labels, sorted(labels)[:30]
    assert all(row["class"].startswith(str(iris.ontology)) for row in typed)

    # Relations: statement nodes with provenance down to passages of documents with folders.
    provenance = select(
        store,
        rag_id,
        f"""
        SELECT ?rel ?passage ?doc ?path WHERE {{ GRAPH {add} {{
            ?rel a ferag:Relation ; rdf:subject ?s ; rdf:object ?o ;
                 prov:wasDerivedFrom ?passage .
            ?passage ferag:inDocument ?doc . ?doc ferag:path ?path . }} }}""",
    )
    assert provenance, "no relation carries provenance"
    assert any("/" in row["path"] for row in provenance), "folder paths were lost"

    events = client.get(f"/tasks/{accepted['task_id']}/events", headers=owner.headers).json()
    steps = [(e["step"], e["status"]) for e in events["data"]]
    assert steps[-1] == ("pipeline", "done")
    assert ("index", "done") in steps and ("merge", "done") in steps
    store.close()
