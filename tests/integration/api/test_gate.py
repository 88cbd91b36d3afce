"""The consistency gate through the API on real servers: a planted violation (two current
directors of one organisation) refuses approval with 409 until an owner overrides it with a
reason, which the version keeps (row and meta-graph resource); owner shapes CRUD, roles, bad
Turtle, and owner shapes checked by the gate."""

from __future__ import annotations

import httpx
from rdflib import OWL, PROV, RDF, RDFS, Graph, Literal

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import FERAG, RagIris, entity_key
from tests.factories import Account, add_member, create_account, create_rag, create_review_cycle
from tests.fixtures.review import first_candidate, second_candidate


def _iris(settings: Settings, rag_id: int) -> RagIris:
    return RagIris(str(settings.base_iri), str(rag_id))


def directs(iris: RagIris, person: str, key: str) -> Graph:
    """``person`` directs Acme Corp, said by a passage of its own; ``ont:directorOf`` is
    inverse-functional (one director per organisation)."""
    ont, g = iris.ontology, Graph()
    g.add((ont.directorOf, RDF.type, OWL.ObjectProperty))
    g.add((ont.directorOf, RDF.type, OWL.InverseFunctionalProperty))
    g.add((ont.directorOf, RDFS.domain, ont.Person))
    g.add((ont.directorOf, RDFS.range, ont.Organization))
    subject, acme = iris.entity(entity_key(person)), iris.entity(entity_key("Acme Corp"))
    statement, passage = iris.relation(f"director-{key}"), iris.passage(f"director-{key}")
    g.add((subject, ont.directorOf, acme))
    for p, o in ((RDF.type, FERAG.Relation), (RDF.subject, subject), (RDF.object, acme)):
        g.add((statement, p, o))
    g.add((statement, RDF.predicate, ont.directorOf))
    g.add((statement, PROV.wasDerivedFrom, passage))
    g.add((passage, RDF.type, FERAG.Passage))
    g.add((passage, FERAG.text, Literal(f"{person} is the director of Acme Corp.")))
    return g


def approve(client: httpx.Client, who: Account, rag_id: int, cycle_id: int, **body: object):  # type: ignore[no-untyped-def]
    return client.post(
        f"/rags/{rag_id}/cycles/{cycle_id}/approve", headers=who.headers, json=body or None
    )


def version_resources(store: TripleStore, iris: RagIris, rag_id: int) -> dict[int, str | None]:
    rows = store.select(
        rag_id,
        f"SELECT ?n ?reason WHERE {{ GRAPH <{iris.graph('meta')}> {{ ?v a <{FERAG.Version}> ; "
        f"<{FERAG.versionNumber}> ?n ; <{PROV.generatedAtTime}> ?at . "
        f"OPTIONAL {{ ?v <{FERAG.overrideReason}> ?reason }} }} }}",
    )
    return {int(r["n"]["value"]): r.get("reason", {}).get("value") for r in rows}


def test_two_current_directors_refuse_approval_until_an_owner_overrides_with_a_reason(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    iris = _iris(settings, rag_id)
    plant = directs(iris, "Alice Smith", "alice")
    first = create_review_cycle(settings, rag_id, first_candidate(iris), plant=plant, gate=True)
    assert approve(client, owner, rag_id, first).status_code == 200
    plant = directs(iris, "Иван Петров", "ivan")
    second = create_review_cycle(settings, rag_id, second_candidate(iris), plant=plant, gate=True)

    diff = client.get(f"/rags/{rag_id}/cycles/{second}/diff", headers=owner.headers).json()
    assert diff["counts"]["violations"] == 1
    (violation,) = diff["violations"]
    assert violation["focus_label"] == "Acme Corp"
    assert violation["path"] == f"^{iris.ontology.directorOf}"
    statements = {s["subject_label"]: s for s in violation["statements"]}
    assert set(statements) == {"Alice Smith", "Иван Петров"}
    assert statements["Иван Петров"]["is_new"] and not statements["Alice Smith"]["is_new"]
    assert statements["Alice Smith"]["passages"][0]["text"].startswith("Alice Smith is the dir")

    refused = approve(client, owner, rag_id, second)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "consistency_violations"
    assert "Acme Corp" in error["message"] and "inverse-functional" in error["message"]
    blank = approve(client, owner, rag_id, second, override=True, reason="  ")
    assert blank.status_code == 422

    approved = approve(client, owner, rag_id, second, override=True, reason="two co-directors")

    assert approved.status_code == 200, approved.text
    assert approved.json()["override_reason"] == "two co-directors"
    listed = client.get(f"/rags/{rag_id}/versions", headers=owner.headers).json()["data"]
    assert [v["override_reason"] for v in listed] == ["two co-directors", None]
    back = client.post(f"/rags/{rag_id}/versions/1/rollback", headers=owner.headers)
    assert back.status_code == 200
    assert version_resources(store, iris, rag_id) == {1: None, 2: "two co-directors", 3: None}


OWNER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ont: <{ontology}> .
ont:OrganizationsAreDescribed a sh:NodeShape ; sh:targetClass ont:Organization ;
    sh:property [ sh:path rdfs:comment ; sh:minCount 1 ;
                  sh:message "an organisation needs an rdfs:comment" ] .
"""


def test_owner_shapes_crud_roles_bad_turtle_and_the_gate_checks_them(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    viewer = create_account(client)
    add_member(client, owner, rag_id, viewer, "viewer")
    url = f"/rags/{rag_id}/shapes"
    turtle = OWNER_SHAPES.format(ontology=_iris(settings, rag_id).ontology)
    assert client.get(url, headers=viewer.headers).json()["turtle"] is None
    assert client.put(url, headers=viewer.headers, json={"turtle": turtle}).status_code == 403
    bad = client.put(url, headers=owner.headers, json={"turtle": "ont:X a sh:NodeShape"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_shapes"
    assert "not valid Turtle" in bad.json()["error"]["message"]

    stored = client.put(url, headers=owner.headers, json={"turtle": turtle})

    assert stored.status_code == 200 and stored.json()["shapes"] == 1
    assert client.get(url, headers=viewer.headers).json()["turtle"] == turtle
    iris = _iris(settings, rag_id)
    cycle = create_review_cycle(settings, rag_id, first_candidate(iris), gate=True)
    diff = client.get(f"/rags/{rag_id}/cycles/{cycle}/diff", headers=viewer.headers).json()
    assert {v["focus_label"] for v in diff["violations"]} == {"Acme Corp", "Ромашка"}
    assert {v["message"] for v in diff["violations"]} == {"an organisation needs an rdfs:comment"}
    assert approve(client, owner, rag_id, cycle).status_code == 409
    assert client.delete(url, headers=viewer.headers).status_code == 403
    assert client.delete(url, headers=owner.headers).status_code == 204
    assert client.get(url, headers=viewer.headers).json()["turtle"] is None
