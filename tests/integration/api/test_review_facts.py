"""The diff's ``facts`` section over HTTP: a superseded, an ended and a flagged fact.

Production is the first review cycle approved; the second cycle's change set is the real
merge's plus the triples of the temporal contract (``docs/rdf-model.md``, "Time") written into
its ``add`` and ``remove`` graphs through the store, as merge writes them.
"""

from __future__ import annotations

from typing import Any

import httpx
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from ferag.settings import Settings
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from graphrag_lib.vocab import FERAG, RagIris
from tests.factories import Account, create_rag, create_review_cycle
from tests.fixtures.review import NEW_ALICE, Q2_PATH, entity, first_candidate, second_candidate
from tests.integration.api.test_review import approve, read_diff
from tests.integration.web.test_session import sign_in


def by_iri(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["iri"]: item for item in items}


def _graph(store: TripleStore, rag_id: int, name: str) -> Graph:
    return Graph().parse(data=store.get_graph(rag_id, name).decode(), format="nt")


def _statement(prod: Graph, subject: str, obj: str) -> URIRef:
    for st in prod.subjects(RDF.type, FERAG.Relation):
        ends = (str(prod.value(st, RDF.subject)), str(prod.value(st, RDF.object)))
        if ends == (subject, obj) and isinstance(st, URIRef):
            return st
    raise AssertionError(f"no statement {subject} → {obj} in production")


def _plant_changes(store: TripleStore, space: RagSpace, cycle_id: int) -> dict[str, Any]:
    """The contract's triples: Alice's employer superseded, Ivan's ended, Acme's flagged."""
    iris, rag_id = space.iris, space.rag_id
    prod = _graph(store, rag_id, space.prod)
    add = _graph(store, rag_id, space.cycle_graph(cycle_id, "add"))
    remove = _graph(store, rag_id, space.cycle_graph(cycle_id, "remove"))
    alice, acme = URIRef(entity(iris, "Alice Smith")), URIRef(entity(iris, "Acme Corp"))
    acme_inc = URIRef(entity(iris, "ACME Corporation"))
    works = _statement(prod, str(alice), str(acme))
    ivan = _statement(prod, entity(iris, "Иван Петров"), entity(iris, "Ромашка"))
    located = next(st for st in prod.subjects(RDF.type, FERAG.Relation) if st not in (works, ivan))
    q2 = next(p for p in add.subjects(RDF.type, FERAG.Passage))
    version, predicate = iris.version(2), prod.value(works, RDF.predicate)
    assert isinstance(predicate, URIRef)
    new = iris.relation("alice-new-employer")
    for p, o in (
        (RDF.type, FERAG.Relation), (RDF.subject, alice), (RDF.predicate, predicate),
        (RDF.object, acme_inc), (DCTERMS.description, Literal("Alice joined ACME Corporation")),
        (FERAG.validFrom, Literal("2024-04", datatype=XSD.gYearMonth)),
        (FERAG.validFromSource, Literal("file-name")), (FERAG.recordedIn, version),
        (PROV.wasDerivedFrom, q2),
    ):  # fmt: skip
        add.add((new, p, o))
    for p, o in (
        (FERAG.invalidatedIn, version), (FERAG.supersededBy, new),
        (FERAG.validUntil, Literal("2024-04", datatype=XSD.gYearMonth)),
        (FERAG.validUntilSource, Literal("file-name")),
        (FERAG.invalidationReason, Literal("functional property ont:worksFor")),
    ):  # fmt: skip
        add.add((works, p, o))
    for p, o in (
        (FERAG.invalidatedIn, version), (FERAG.endEvidence, q2),
        (FERAG.endDescription, Literal("Иван Петров ушёл из «Ромашки»", lang="ru")),
        (FERAG.validUntil, Literal("2024", datatype=XSD.gYear)),
        (FERAG.validUntilSource, Literal("text")), (FERAG.invalidationReason, Literal("ends")),
    ):  # fmt: skip
        add.add((ivan, p, o))
    add.add((located, FERAG.staleEvidence, q2))
    record = iris.description_record("planted")  # invalidated too, but not a fact
    add.add((record, RDF.type, FERAG.DescriptionRecord))
    add.add((record, FERAG.invalidatedIn, version))
    remove.add((alice, predicate, acme))
    for name, graph in (("add", add), ("remove", remove)):
        payload = graph.serialize(format="nt", encoding="utf-8")
        store.put_graph(rag_id, space.cycle_graph(cycle_id, name), payload)
    return {"works": str(works), "ivan": str(ivan), "located": str(located), "new": str(new)}


def test_diff_shows_superseded_ended_and_flagged_facts(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    rag_id = create_rag(client, owner)
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    iris: RagIris = space.iris
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    assert approve(client, owner, rag_id, first).status_code == 200
    second = create_review_cycle(settings, rag_id, second_candidate(iris))
    planted = _plant_changes(store, space, second)

    diff = read_diff(client, owner, rag_id, second)

    # The real merge may flag facts of its own (a changed description with no fact judge):
    # the planted ones are found by IRI, and the counts match the lists.
    facts, counts = diff["facts"], diff["counts"]
    for name in ("superseded", "ended", "flagged"):
        assert counts[f"facts_{name}"] == len(facts[name]) >= 1
    superseded = by_iri(facts["superseded"])[planted["works"]]
    assert superseded["status"] == "superseded"
    old, new = superseded["old"], superseded["new"]
    assert (old["subject"]["label"], old["object"]["label"]) == ("Alice Smith", "Acme Corp")
    assert (old["valid_until"], old["valid_until_source"]) == ("2024-04", "file-name")
    assert old["provenance"] and "Alice Smith" in old["provenance"][0]["snippet"]
    assert new["iri"] == planted["new"] and new["object"]["label"] == "ACME Corporation"
    assert (new["valid_from"], new["valid_from_source"], new["recorded_in"]) == (
        "2024-04", "file-name", 2,
    )  # fmt: skip
    assert superseded["evidence"][0]["path"] == Q2_PATH
    assert superseded["reason"] == "functional property ont:worksFor"
    assert superseded["invalidated_in"] == 2
    ended = by_iri(facts["ended"])[planted["ivan"]]
    assert ended["new"] is None and ended["status"] == "ended"
    assert ended["end_description"] == "Иван Петров ушёл из «Ромашки»"
    assert (ended["old"]["valid_until"], ended["old"]["valid_until_source"]) == ("2024", "text")
    assert ended["evidence"][0]["path"] == Q2_PATH
    assert planted["works"] not in by_iri(facts["ended"])  # superseded is not ended
    flagged = by_iri(facts["flagged"])[planted["located"]]
    assert flagged["invalidated_in"] is None and flagged["new"] is None
    assert flagged["evidence"][0]["path"] == Q2_PATH
    alice = next(e for e in diff["entities"]["changed"] if e["label"] == "Alice Smith")
    assert alice["description_added"] == NEW_ALICE

    page = read_diff(client, owner, rag_id, second, section="facts_ended", limit=5)
    assert [f["iri"] for f in page["facts"]["ended"]] == [planted["ivan"]]
    assert page["facts"]["superseded"] == [] and page["entities"]["changed"] == []

    with httpx.Client(base_url=str(client.base_url), timeout=30) as browser:
        assert sign_in(browser, owner.email).status_code == 303
        shown = browser.get(f"/ui/rags/{rag_id}/cycles/{second}/review?section=facts_superseded")
    assert shown.status_code == 200, shown.text
    assert "ACME Corporation" in shown.text and "functional property ont:worksFor" in shown.text
    assert "2024-04 (source: file-name)" in shown.text
