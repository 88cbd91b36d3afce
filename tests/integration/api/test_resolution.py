"""Entity resolution under review, over HTTP on real servers: the diff's merges section, a
reviewer's split and merge decisions (remembered per RAG, the merge step run again), and an
owner's merge of production entities through review, approval, staleness and rollback.

Cycles are built by ``create_review_cycle`` (the real merge over the hand-made candidates of
``tests.fixtures.review``); merge records that the resolver would write are added to a cycle's
``add`` graph by the test, since the resolver is not what these tests are about.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from sqlalchemy import select

from ferag.cycle.configs import cycle_stage_configs
from ferag.db.models import EntityIndexEntry
from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.merge import ResolutionDecision
from graphrag_lib.vocab import FERAG, RagIris, hash_key
from tests.factories import Account, add_member, create_account, create_rag, create_review_cycle
from tests.factories import session_factory as sessions
from tests.fixtures.review import Q1_PATH, entity, first_candidate, second_candidate
from tests.integration.api.test_review import approve, iris_of, read_diff
from tests.workers import WorkerProcess


def production(store: TripleStore, iris: RagIris, rag_id: int) -> set[str]:
    data = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
    return {line for line in data.splitlines() if line.strip()}


def prod_graph(store: TripleStore, iris: RagIris, rag_id: int) -> Graph:
    data = store.get_graph(rag_id, str(iris.graph("prod"))).decode()
    return Graph().parse(data=data, format="nt")


def cycle_of(client: httpx.Client, who: Account, rag_id: int, cycle_id: int) -> dict[str, Any]:
    response = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def add_merge_record(
    store: TripleStore, iris: RagIris, rag_id: int, cycle_id: int, record: dict[str, Any]
) -> URIRef:
    """Add a ``ferag:Merge`` record, as the resolver writes it, to the cycle's ``add`` graph."""
    graph_iri = str(iris.graph(f"cycle/{cycle_id}/add"))
    add = Graph().parse(data=store.get_graph(rag_id, graph_iri).decode(), format="nt")
    survivor, absorbed = URIRef(record["survivor"]), URIRef(record["absorbed"])
    iri = iris.merge_record(hash_key(str(survivor), str(absorbed)))
    add.add((iri, RDF.type, FERAG.Merge))
    add.add((iri, FERAG.mergeStatus, Literal(record["status"])))
    add.add((iri, FERAG.mergeScope, Literal(record["scope"])))
    add.add((iri, FERAG.survivor, survivor))
    add.add((iri, FERAG.absorbed, absorbed))
    for name in record["names"]:
        add.add((iri, FERAG.absorbedLabel, name))
    add.add((iri, FERAG.score, Literal(record["score"], datatype=namespace.XSD.decimal)))
    evidence = json.dumps(record["signals"])
    add.add((iri, FERAG.evidence, Literal(evidence, datatype=RDF.JSON)))
    add.add((iri, FERAG.decidedBy, Literal(record["by"])))
    add.add((iri, FERAG.reason, Literal(record["reason"])))
    for passage in record.get("passages", ()):
        add.add((iri, PROV.wasDerivedFrom, passage))
    store.put_graph(rag_id, graph_iri, add.serialize(format="nt", encoding="utf-8"))
    return iri


def q1_passage(store: TripleStore, iris: RagIris, rag_id: int, cycle_id: int) -> URIRef:
    """The passage of Q1 that names Alice Smith (in the cycle's ``add`` graph)."""
    graph_iri = str(iris.graph(f"cycle/{cycle_id}/add"))
    add = Graph().parse(data=store.get_graph(rag_id, graph_iri).decode(), format="nt")
    alice = URIRef(entity(iris, "Alice Smith"))
    passages = sorted(add.objects(alice, PROV.wasDerivedFrom), key=str)
    assert passages
    return URIRef(str(passages[0]))


def test_the_diff_lists_merges_with_names_signals_scores_and_passages(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
    alice, acme = entity(iris, "Alice Smith"), entity(iris, "Acme Corp")
    passage = q1_passage(store, iris, rag_id, cycle_id)
    signals = {"label": 0.0, "lemma": 1.0, "translit": 0.92}
    add_merge_record(store, iris, rag_id, cycle_id, {
        "status": "merged", "scope": "production", "survivor": alice,
        "absorbed": entity(iris, "Алиса Смит"), "names": [Literal("Алиса Смит", lang="ru")],
        "score": "0.93", "signals": signals, "by": "rules", "reason": "one person",
        "passages": [passage],
    })  # fmt: skip
    add_merge_record(store, iris, rag_id, cycle_id, {
        "status": "merged", "scope": "cycle", "survivor": acme,
        "absorbed": entity(iris, "ACME"), "names": [Literal("ACME")], "score": "0.88",
        "signals": {"acronym": 1.0}, "by": "llm", "reason": "ACME is Acme Corp's short form",
    })  # fmt: skip
    add_merge_record(store, iris, rag_id, cycle_id, {
        "status": "flagged", "scope": "cycle", "survivor": entity(iris, "Иван Петров"),
        "absorbed": entity(iris, "Ivan Petrov Jr"), "names": [Literal("Ivan Petrov Jr")],
        "score": "0.5", "signals": {"translit": 0.81}, "by": "llm", "reason": "unsure",
    })  # fmt: skip

    diff = read_diff(client, owner, rag_id, cycle_id)

    counts = diff["counts"]
    assert (counts["merges_production"], counts["merges_cycle"], counts["merges_flagged"]) == (
        1, 1, 1,
    )  # fmt: skip
    (into_production,) = diff["merges"]["production"]
    assert into_production["status"] == "merged" and into_production["scope"] == "production"
    assert into_production["survivor"] == {"iri": alice, "label": "Alice Smith"}
    assert into_production["absorbed"]["iri"] == entity(iris, "Алиса Смит")
    assert into_production["absorbed_labels"] == ["Алиса Смит"]
    assert into_production["score"] == 0.93 and into_production["signals"] == signals
    assert (into_production["decided_by"], into_production["reason"]) == ("rules", "one person")
    (source,) = into_production["provenance"]
    assert source["path"] == Q1_PATH and "Alice Smith" in source["snippet"]
    (within,) = diff["merges"]["cycle"]
    assert within["survivor"]["label"] == "Acme Corp" and within["decided_by"] == "llm"
    assert within["provenance"] == []
    (flagged,) = diff["merges"]["flagged"]
    assert flagged["status"] == "flagged" and flagged["signals"] == {"translit": 0.81}
    paged = read_diff(client, owner, rag_id, cycle_id, section="merges_flagged", limit=1)
    assert [m["iri"] for m in paged["merges"]["flagged"]] == [flagged["iri"]]
    assert paged["merges"]["production"] == [] and paged["entities"]["added"] == []
    assert diff["kind"] == "upload"


def test_decisions_are_validated_and_need_an_editor_and_a_cycle_in_review(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
    viewer = create_account(client)
    add_member(client, owner, rag_id, viewer, "viewer")
    alice, acme = entity(iris, "Alice Smith"), entity(iris, "Acme Corp")
    url = f"/rags/{rag_id}/cycles/{cycle_id}/decisions"

    def post(who: Account, **body: Any) -> httpx.Response:
        return client.post(url, json={"action": "split", **body}, headers=who.headers)

    foreign = RagIris(str(settings.base_iri), str(rag_id + 1000)).entity("alice")
    for a, b, code in (
        (alice, str(foreign), "not_an_entity"),
        ("https://example.org/alice", acme, "not_an_entity"),
        (alice, f"{iris.prefix}entity/a b>", "not_an_entity"),
        (alice, alice, "same_entity"),
    ):
        refused = post(owner, a=a, b=b)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == code
    assert post(owner, a=alice, b=acme, action="ignore").status_code == 422
    assert post(viewer, a=alice, b=acme).status_code == 403
    assert post(create_account(client), a=alice, b=acme).status_code == 404
    assert approve(client, owner, rag_id, cycle_id).status_code == 200
    closed = post(owner, a=alice, b=acme)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "cycle_not_in_review"
    listed = client.get(f"/rags/{rag_id}/decisions", headers=owner.headers).json()
    assert listed == {"data": [], "count": 0}  # nothing refused was stored


def wait_for_review(
    client: httpx.Client, who: Account, rag_id: int, cycle_id: int, timeout: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    cycle: dict[str, Any] = {}
    while time.monotonic() < deadline:
        cycle = cycle_of(client, who, rag_id, cycle_id)
        if cycle["status"] not in ("pending", "running"):
            assert cycle["status"] == "review", cycle
            return cycle
        time.sleep(0.3)
    raise AssertionError(f"cycle {cycle_id} did not return to review: {cycle}")


def test_a_split_is_remembered_replaced_by_a_later_decision_and_reruns_the_merge(
    client: httpx.Client, owner: Account, settings: Settings, worker: WorkerProcess
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    assert approve(client, owner, rag_id, first).status_code == 200
    cycle_id = create_review_cycle(settings, rag_id, second_candidate(iris))
    editor = create_account(client)
    add_member(client, owner, rag_id, editor, "editor")
    acme, acme_corporation = entity(iris, "Acme Corp"), entity(iris, "ACME Corporation")
    url = f"/rags/{rag_id}/cycles/{cycle_id}/decisions"

    split = client.post(url, headers=editor.headers, json={
        "action": "split", "a": acme, "b": acme_corporation, "reason": "a subsidiary",
    })  # fmt: skip

    assert split.status_code == 202, split.text
    answer = split.json()
    assert answer["decision"]["verdict"] == "different" and answer["decision"]["a"] == acme
    assert answer["decision"]["user_id"] == editor.id
    assert answer["decision"]["cycle_id"] == cycle_id
    assert answer["cycle"]["status"] == "running" and answer["task_id"]
    events = client.get(f"/tasks/{answer['task_id']}/events", headers=owner.headers).json()
    # the worker may already have reported on the merge step: any event, not the last
    assert any("after a decision to split" in e["message"] for e in events["data"])
    cycle = wait_for_review(client, owner, rag_id, cycle_id)
    assert cycle["steps"]["merge"]["status"] == "done"
    assert cycle["steps"]["staging"]["status"] == "done"
    with sessions(settings.require("database_url"))() as db:
        configs = cycle_stage_configs(db, settings, rag_id, cycle_id)
    assert configs.merge.decisions == [
        ResolutionDecision(a=acme, b=acme_corporation, verdict="different", reason="a subsidiary")
    ]

    # The same pair the other way round: the later decision replaces the earlier one.
    merged = client.post(url, headers=editor.headers, json={
        "action": "merge", "a": acme_corporation, "b": acme,
    })  # fmt: skip
    assert merged.status_code == 202, merged.text
    wait_for_review(client, owner, rag_id, cycle_id)
    listed = client.get(f"/rags/{rag_id}/decisions", headers=owner.headers).json()
    assert listed["count"] == 1
    (remembered,) = listed["data"]
    assert (remembered["a"], remembered["b"], remembered["verdict"]) == (
        acme_corporation, acme, "same",
    )  # fmt: skip

    forget = f"/rags/{rag_id}/decisions/{remembered['id']}"
    assert client.delete(forget, headers=editor.headers).status_code == 403
    assert client.delete(forget, headers=owner.headers).status_code == 204
    assert client.delete(forget, headers=owner.headers).status_code == 404
    assert client.get(f"/rags/{rag_id}/decisions", headers=owner.headers).json()["count"] == 0
    assert read_diff(client, owner, rag_id, cycle_id)["base_version"] == 1


def index_rows(settings: Settings, rag_id: int) -> dict[str, EntityIndexEntry]:
    with sessions(settings.require("database_url"))() as db:
        rows = db.scalars(select(EntityIndexEntry).where(EntityIndexEntry.rag_id == rag_id))
        return {row.entity_iri: row for row in rows}


def propose(
    client: httpx.Client, who: Account, rag_id: int, survivor: str, absorbed: list[str]
) -> httpx.Response:
    body = {"survivor": survivor, "absorbed": absorbed, "reason": "one company"}
    return client.post(f"/rags/{rag_id}/merges", json=body, headers=who.headers)


def test_an_owner_merge_is_reviewed_approved_and_rolled_back_exactly(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    for candidate in (first_candidate(iris), second_candidate(iris)):
        assert approve(client, owner, rag_id, create_review_cycle(settings, rag_id, candidate))
    before = production(store, iris, rag_id)
    survivor, absorbed = entity(iris, "ACME Corporation"), entity(iris, "Acme Corp")
    editor = create_account(client)
    add_member(client, owner, rag_id, editor, "editor")
    assert propose(client, editor, rag_id, survivor, [absorbed]).status_code == 403
    missing = propose(client, owner, rag_id, survivor, [entity(iris, "Nobody")])
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_merge"
    assert propose(client, owner, rag_id, survivor, []).status_code == 422
    unsafe = propose(client, owner, rag_id, survivor, [f"{iris.prefix}entity/a b>"])
    assert unsafe.status_code == 422 and unsafe.json()["error"]["code"] == "invalid_merge"

    proposed = propose(client, owner, rag_id, survivor, [absorbed])

    assert proposed.status_code == 201, proposed.text
    cycle = proposed.json()
    assert (cycle["kind"], cycle["status"], cycle["documents"]) == ("production_merge", "review", 0)
    assert cycle["base_version"] == 2 and cycle["steps"]["staging"]["status"] == "done"
    diff = read_diff(client, owner, rag_id, cycle["id"], limit=200)
    staged_counts = cycle["steps"]["staging"]["stats"]["diff_counts"]
    assert {name: diff["counts"][name] for name in staged_counts} == staged_counts
    assert staged_counts["merges_production"] == staged_counts["entities_removed"] == 1
    assert diff["kind"] == "production_merge"
    (record,) = diff["merges"]["production"]
    assert record["survivor"] == {"iri": survivor, "label": "ACME Corporation"}
    assert record["absorbed"] == {"iri": absorbed, "label": "Acme Corp"}
    assert set(record["absorbed_labels"]) == {"Acme Corp", "Acme Corp."}
    assert (record["decided_by"], record["reason"]) == ("reviewer", "one company")
    assert record["provenance"] and record["provenance"][0]["path"]
    assert [e["iri"] for e in diff["entities"]["removed"]] == [absorbed]
    # The survivor, and Alice, whose relation to the absorbed entity now points at it.
    changed = {e["iri"] for e in diff["entities"]["changed"]}
    assert changed == {survivor, entity(iris, "Alice Smith")}
    assert production(store, iris, rag_id) == before  # nothing happens before approval

    approved = approve(client, owner, rag_id, cycle["id"])

    assert approved.status_code == 200, approved.text
    assert approved.json()["number"] == 3
    prod = prod_graph(store, iris, rag_id)
    survivor_iri, absorbed_iri = URIRef(survivor), URIRef(absorbed)
    assert (absorbed_iri, None, None) not in prod
    assert str(prod.value(survivor_iri, RDFS.label)) == "ACME Corporation"
    assert {"Acme Corp", "Acme Corp."} <= {
        str(n) for n in prod.objects(survivor_iri, SKOS.altLabel)
    }
    ends = {(prod.value(s, RDF.subject), prod.value(s, RDF.object))
            for s in prod.subjects(RDF.type, FERAG.Relation)}  # fmt: skip
    alice, berlin = URIRef(entity(iris, "Alice Smith")), URIRef(entity(iris, "Berlin"))
    assert {(alice, survivor_iri), (survivor_iri, berlin)} <= ends
    assert (alice, FERAG.relatedTo, absorbed_iri) not in prod
    index = index_rows(settings, rag_id)
    assert absorbed not in index and "Acme Corp" in index[survivor].aliases.splitlines()

    rolled = client.post(f"/rags/{rag_id}/versions/2/rollback", headers=owner.headers)

    assert rolled.status_code == 200, rolled.text
    assert production(store, iris, rag_id) == before
    assert absorbed in index_rows(settings, rag_id)


def test_a_stale_owner_merge_is_recomputed_by_rebase(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = iris_of(settings, rag_id)
    assert approve(
        client, owner, rag_id, create_review_cycle(settings, rag_id, first_candidate(iris))
    )
    upload = create_review_cycle(settings, rag_id, second_candidate(iris))
    survivor, absorbed = entity(iris, "Acme Corp"), entity(iris, "Ромашка")
    cycle_id = propose(client, owner, rag_id, survivor, [absorbed]).json()["id"]
    split = client.post(f"/rags/{rag_id}/cycles/{cycle_id}/decisions", headers=owner.headers,
                        json={"action": "split", "a": survivor, "b": absorbed})  # fmt: skip
    assert split.status_code == 409 and split.json()["error"]["code"] == "cycle_not_remergeable"
    assert approve(client, owner, rag_id, upload).status_code == 200

    refused = approve(client, owner, rag_id, cycle_id)

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "cycle_stale"
    rebased = client.post(f"/rags/{rag_id}/cycles/{cycle_id}/rebase", headers=owner.headers)
    assert rebased.status_code == 202, rebased.text
    assert (rebased.json()["status"], rebased.json()["base_version"]) == ("review", 2)
    diff = read_diff(client, owner, rag_id, cycle_id)
    assert diff["counts"]["merges_production"] == 1
    assert approve(client, owner, rag_id, cycle_id).status_code == 200
    prod = prod_graph(store, iris, rag_id)
    names = {str(n) for n in prod.objects(URIRef(survivor), SKOS.altLabel)}
    assert {"Ромашка", "Acme Corp."} <= names  # the alias approved meanwhile is kept
    assert (URIRef(absorbed), None, None) not in prod
