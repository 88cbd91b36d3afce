"""One user journey on each triple store, with the same results: create a RAG (its space is
made), upload → review (the diff: what was added, where from) → approve, chat with citations,
a second cycle (resolved to the entities production has, no duplicates), roll back, delete
the RAG (its space is gone). The journey runs on the Oxigraph stack and on the Fuseki stack
(``fuseki_stack``: its own database, Redis, API and worker); production after every step must
be the same on both, compared as sets of triples with each stack's RAG id and cycle ids written
the same way. Triples are compared as RDF terms, not text: Fuseki (TDB2) keeps numbers by value
and writes ``"1"^^xsd:double`` back as ``"1.0e0"``, the same literal; rdflib, which every reader
of the store in ferag goes through, reads both as one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rdflib import RDF, Graph

from ferag.store.client import FusekiStore, SpaceMissing, TripleStore, store_from_settings
from graphrag_lib.sparql_terms import literal
from graphrag_lib.vocab import FERAG, RagIris
from tests.conftest import Stack
from tests.e2e.review_flow import (
    FIRST_UPLOAD,
    SECOND_UPLOAD,
    approve,
    labelled,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import Account, create_account, create_rag

pytestmark = pytest.mark.slow

QUESTION = "Where does Elena Kuznetsova work?"


@dataclass
class Journey:
    """What a user of one stack saw: production after each step, and the chat's citations."""

    productions: dict[str, Graph] = field(default_factory=dict)
    cited_paths: list[str] = field(default_factory=list)
    second_diff_counts: dict[str, int] = field(default_factory=dict)


def space_exists(stack: Stack, store: TripleStore, iris: RagIris, rag_id: int) -> bool:
    """Fuseki: the RAG's dataset is listed by the admin API. Oxigraph keeps every RAG in one
    dataset, so there the space is the graphs under the RAG's prefix."""
    if stack.kind == "fuseki":
        password = stack.settings.store_password
        response = httpx.get(
            f"{stack.settings.store_url}/$/datasets/{FusekiStore.dataset_name(rag_id)}",
            auth=(stack.settings.store_user or "", password.get_secret_value() if password else ""),
        )
        return response.status_code == 200
    rows = store.select(
        rag_id,
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {literal(iris.prefix)})) }} LIMIT 1",
    )
    return bool(rows)


def production(store: TripleStore, iris: RagIris, rag_id: int, cycles: list[int]) -> Graph:
    """Production with the RAG id and the cycle ids (which each stack's database numbers
    itself) replaced by the same placeholders."""
    text = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
    text = text.replace(iris.prefix, "https://rag.test/")
    for number, cycle_id in enumerate(cycles, start=1):
        text = re.sub(rf"(cycle[/#:-]?){cycle_id}\b", rf"\g<1>n{number}", text)
    return Graph().parse(data=text, format="nt")


def check_first_diff(
    client: httpx.Client, owner: Account, rag_id: int, cycle_id: int
) -> dict[str, dict[str, Any]]:
    """The first cycle adds the people, the bank and the cities, with where they were read;
    the diff's counts are those counted once when the cycle was staged. Returns the added
    entities by label."""
    diff = read_diff(client, owner, rag_id, cycle_id)
    added = labelled(diff["entities"]["added"])
    assert {"Elena Kuznetsova", "Kama Bank", "Igor Sokolov", "Kazan", "Novosibirsk"} <= set(added)
    assert added["Kama Bank"]["provenance"][0]["path"] == "team/finance.txt"
    assert diff["counts"]["entities_changed"] == 0
    cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
    staged_counts = cycle["steps"]["staging"]["stats"]["diff_counts"]
    assert staged_counts["entities_added"] == len(added) > 0
    assert {name: diff["counts"][name] for name in staged_counts} == staged_counts
    assert diff["relations"]["added"] and diff["ontology"]["added"]
    return added


def check_second_diff(diff: dict[str, Any], first: dict[str, dict[str, Any]]) -> None:
    """The second cycle resolves Elena and the bank to the IRIs production already has (no
    duplicates), with Elena's newer description and the bank's other spelling as an alias."""
    assert {"Dmitry Volkov", "Moscow"} <= set(labelled(diff["entities"]["added"]))
    changed = labelled(diff["entities"]["changed"])
    elena, bank = changed["Elena Kuznetsova"], changed["Kama Bank"]
    assert elena["iri"] == first["Elena Kuznetsova"]["iri"]
    assert bank["iri"] == first["Kama Bank"]["iri"]
    assert not {"Elena Kuznetsova", "Kama Bank"} & set(labelled(diff["entities"]["added"]))
    assert elena["old_description"] == first["Elena Kuznetsova"]["description"]
    assert "treasury" in elena["description"] and "treasury" not in elena["old_description"]
    assert elena["provenance"][0]["path"] == "news/2025.txt"
    assert bank["new_aliases"] == ["Kama-Bank"]
    assert diff["counts"]["aliases_added"] >= 1


def without_communities(graph: Graph) -> tuple[set[Any], list[frozenset[str]]]:
    """Production's triples but those of communities and their reports, and the communities
    as sets of members. Each stack's worker is another process, and GraphRAG's clustering
    numbers the same communities in another order from one process to the next ("Community
    0" here is "Community 1" there, so their IRIs and titles differ); what the store keeps of
    them is compared as the grouping they make."""
    communities = set(graph.subjects(RDF.type, FERAG.Community))
    grouped = communities | set(graph.subjects(RDF.type, FERAG.CommunityReport))
    rest = {t for t in graph if t[0] not in grouped and t[2] not in grouped}
    groups = sorted(
        (frozenset(str(m) for m in graph.objects(c, FERAG.member)) for c in communities),
        key=sorted,
    )
    return rest, groups


def run_journey(stack: Stack) -> Journey:
    journey = Journey()
    store = store_from_settings(stack.settings)
    with httpx.Client(base_url=stack.api_url, timeout=60) as client:
        owner = create_account(client)
        rag_id = create_rag(client, owner, "kama")
        iris = RagIris(str(stack.settings.base_iri), str(rag_id))
        if stack.kind == "fuseki":
            assert space_exists(stack, store, iris, rag_id), "creating the RAG made no dataset"
        cycles: list[int] = []

        def step(name: str) -> None:
            journey.productions[name] = production(store, iris, rag_id, cycles)

        cycles.append(upload(client, owner, rag_id, FIRST_UPLOAD))
        wait_for_review(client, owner, rag_id, cycles[-1])
        first_added = check_first_diff(client, owner, rag_id, cycles[-1])
        assert approve(client, owner, rag_id, cycles[-1]) == 1
        step("first approval")

        answer = client.post(
            f"/rags/{rag_id}/chat", json={"question": QUESTION}, headers=owner.headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["telemetry"]["production_version"] == 1
        citations = answer.json()["citations"]
        assert citations, f"the answer cites nothing: {answer.json()}"
        journey.cited_paths = sorted(c["path"] for c in citations)

        cycles.append(upload(client, owner, rag_id, SECOND_UPLOAD))
        wait_for_review(client, owner, rag_id, cycles[-1])
        diff = read_diff(client, owner, rag_id, cycles[-1])
        check_second_diff(diff, first_added)
        journey.second_diff_counts = diff["counts"]
        assert approve(client, owner, rag_id, cycles[-1]) == 2
        step("second approval")

        rolled = client.post(f"/rags/{rag_id}/versions/1/rollback", headers=owner.headers)
        assert rolled.status_code == 200, rolled.text
        step("rollback to version 1")
        assert set(journey.productions["rollback to version 1"]) == set(
            journey.productions["first approval"]
        )

        assert client.delete(f"/rags/{rag_id}", headers=owner.headers).status_code == 204
        if stack.kind == "fuseki":
            assert not space_exists(stack, store, iris, rag_id), "deleting the RAG left its dataset"
            with pytest.raises(SpaceMissing):
                store.get_graph(rag_id, str(iris.graph("prod")))
        else:
            assert not space_exists(stack, store, iris, rag_id), "deleting the RAG left graphs"
    store.close()
    return journey


def test_the_journey_gives_the_same_production_on_oxigraph_and_fuseki(
    oxigraph_stack: Stack, fuseki_stack: Stack
) -> None:
    on_oxigraph = run_journey(oxigraph_stack)
    on_fuseki = run_journey(fuseki_stack)

    first, second = (set(on_oxigraph.productions[s]) for s in ("first approval", "second approval"))
    assert first and second - first, "the journey changed nothing to compare"
    for step, graph in on_oxigraph.productions.items():
        (ours, our_groups), (theirs, their_groups) = (
            without_communities(g) for g in (graph, on_fuseki.productions[step])
        )
        assert our_groups == their_groups, f"communities after {step} differ"
        assert ours == theirs, (
            f"production after {step} differs: only on Oxigraph {sorted(ours - theirs)[:5]}, "
            f"only on Fuseki {sorted(theirs - ours)[:5]}"
        )
    assert on_oxigraph.second_diff_counts == on_fuseki.second_diff_counts
    assert on_oxigraph.cited_paths == on_fuseki.cited_paths
