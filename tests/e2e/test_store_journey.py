"""One user journey on each triple store, with the same results: create a RAG (its space is
made), upload → review → approve, chat, a second cycle, roll back, delete the RAG (its space is
gone). The journey runs on the shared Oxigraph stack and on ``fuseki_stack`` (a stack of its
own: database, Redis, home, API and worker). Each approval must leave production exactly as its
change set says (old - remove + add, as RDF terms: Fuseki keeps numbers by value and writes
``"1"^^xsd:double`` back as ``"1.0e0"``), and production after every step must be the same on
both stores.

The two RAGs' ids differ (the shared stack has made many RAGs by the time this runs in a full
test run), and so do the keys that hash the RAG's IRIs (relations, communities, reports):
``tests/rag_graphs.py`` compares the productions up to those names. Communities are compared
whole, their titles (GraphRAG's numbers) included: the clustering numbers them alike in every
worker. The two-upload review with its diff checks is ``tests/e2e/test_review_cycle.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rdflib import Graph

from ferag.store.client import FusekiStore, SpaceMissing, TripleStore, store_from_settings
from graphrag_lib.sparql_terms import literal
from graphrag_lib.vocab import RagIris
from tests.conftest import Stack
from tests.e2e.review_flow import (
    FIRST_UPLOAD,
    SECOND_UPLOAD,
    approve,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import Account, create_account, create_rag
from tests.rag_graphs import differences, rag_neutral

pytestmark = pytest.mark.slow

QUESTION = "Where does Elena Kuznetsova work?"
STEPS = ("first approval", "second approval", "rollback to version 1")


@dataclass
class Journey:
    """What a user of one stack saw: production after each step (as any RAG would have it,
    ``rag_neutral``), the chat's cited paths and the second cycle's diff counts."""

    productions: dict[str, Graph] = field(default_factory=dict)
    cited_paths: list[str] = field(default_factory=list)
    second_diff_counts: dict[str, int] = field(default_factory=dict)


def space_exists(stack: Stack, store: TripleStore, iris: RagIris) -> bool:
    """Fuseki: the admin API lists the RAG's dataset. Oxigraph keeps every RAG in one dataset,
    so there the space is the graphs under the RAG's prefix."""
    if stack.kind == "fuseki":
        password = stack.settings.store_password
        response = httpx.get(
            f"{stack.settings.store_url}/$/datasets/{FusekiStore.dataset_name(int(iris.rag_id))}",
            auth=(stack.settings.store_user or "", password.get_secret_value() if password else ""),
        )
        return response.status_code == 200
    rows = store.select(
        int(iris.rag_id),
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {literal(iris.prefix)})) }} LIMIT 1",
    )
    return bool(rows)


def triples(store: TripleStore, iris: RagIris, name: str = "prod") -> set[Any]:
    text = store.get_graph(int(iris.rag_id), str(iris.graph(name))).decode()
    return set(Graph().parse(data=text, format="nt"))


def approve_exactly(
    client: httpx.Client, store: TripleStore, owner: Account, iris: RagIris, cycle_id: int
) -> int:
    """Approve the cycle; production must then be exactly its change set applied. Returns the
    new version's number."""
    add = triples(store, iris, f"cycle/{cycle_id}/add")
    remove = triples(store, iris, f"cycle/{cycle_id}/remove")
    expected = (triples(store, iris) - remove) | add
    number = approve(client, owner, int(iris.rag_id), cycle_id)
    assert triples(store, iris) == expected
    return number


def run_journey(stack: Stack) -> Journey:
    journey = Journey()
    store = store_from_settings(stack.settings)
    with httpx.Client(base_url=stack.api_url, timeout=60) as client:
        owner = create_account(client)
        rag_id = create_rag(client, owner, "kama")
        iris = RagIris(str(stack.settings.base_iri), str(rag_id))
        if stack.kind == "fuseki":
            assert space_exists(stack, store, iris), "creating the RAG made no dataset"
        cycles: list[int] = []

        def step(name: str) -> None:
            text = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
            journey.productions[name] = rag_neutral(text, iris, cycles)

        cycles.append(upload(client, owner, rag_id, FIRST_UPLOAD))
        wait_for_review(client, owner, rag_id, cycles[-1])
        assert approve_exactly(client, store, owner, iris, cycles[-1]) == 1
        first = triples(store, iris)
        step("first approval")

        answer = client.post(
            f"/rags/{rag_id}/chat", json={"question": QUESTION}, headers=owner.headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["telemetry"]["production_version"] == 1
        journey.cited_paths = sorted(c["path"] for c in answer.json()["citations"])

        cycles.append(upload(client, owner, rag_id, SECOND_UPLOAD))
        wait_for_review(client, owner, rag_id, cycles[-1])
        journey.second_diff_counts = read_diff(client, owner, rag_id, cycles[-1])["counts"]
        assert approve_exactly(client, store, owner, iris, cycles[-1]) == 2
        assert triples(store, iris) - first, "the second cycle changed nothing"
        step("second approval")

        rolled = client.post(f"/rags/{rag_id}/versions/1/rollback", headers=owner.headers)
        assert rolled.status_code == 200, rolled.text
        assert triples(store, iris) == first
        step("rollback to version 1")

        assert client.delete(f"/rags/{rag_id}", headers=owner.headers).status_code == 204
        assert not space_exists(stack, store, iris), "deleting the RAG left its space"
        if stack.kind == "fuseki":
            with pytest.raises(SpaceMissing):
                store.get_graph(rag_id, str(iris.graph("prod")))
    store.close()
    return journey


def test_the_journey_gives_the_same_production_on_oxigraph_and_fuseki(
    oxigraph_stack: Stack, fuseki_stack: Stack
) -> None:
    on_oxigraph = run_journey(oxigraph_stack)
    on_fuseki = run_journey(fuseki_stack)

    assert list(on_oxigraph.productions) == list(on_fuseki.productions) == list(STEPS)
    for name in STEPS:
        ours, theirs = on_oxigraph.productions[name], on_fuseki.productions[name]
        assert len(ours) > 0
        problem = differences(ours, theirs)
        assert not problem, f"production after {name} differs (Oxigraph, Fuseki): {problem}"
    assert on_oxigraph.second_diff_counts == on_fuseki.second_diff_counts
    assert on_oxigraph.cited_paths == on_fuseki.cited_paths
