"""``/rags/{id}/sparql``: members query their RAG's current production with SPARQL 1.1 Protocol
requests, on both stores; nothing else is reachable (another RAG, a change set under review,
named graphs, other endpoints) and nothing can be changed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from rdflib import Graph, Variable
from rdflib.query import Result

from ferag.api.app import create_app
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.vocab import RagIris
from tests.conftest import Stack
from tests.factories import Account, add_member, create_account, create_rag, create_review_cycle
from tests.fixtures.review import (
    FIRST_ENTITIES,
    NEW_ALICE,
    entity,
    first_candidate,
    second_candidate,
)

LABELS = "SELECT ?label WHERE { ?e a ferag:Entity ; rdfs:label ?label }"


@dataclass
class Scene:
    stack: Stack
    rag_id: int
    other_rag_id: int  # another RAG of the same owner, with its own production
    owner: Account
    viewer: Account
    outsider: Account
    iris: RagIris
    other_iris: RagIris


@pytest.fixture(scope="module", params=["oxigraph", "fuseki"])
def scene(request: pytest.FixtureRequest) -> Iterator[Scene]:
    """A RAG with one approved cycle and a second one in review, and another RAG beside it."""
    stack: Stack = request.getfixturevalue(f"{request.param}_stack")
    with httpx.Client(base_url=stack.api_url, timeout=60) as http:
        owner, viewer, outsider = (create_account(http) for _ in range(3))
        rag_id, other_rag_id = create_rag(http, owner, "sparql"), create_rag(http, owner, "other")
        add_member(http, owner, rag_id, viewer, "viewer")
        iris, other_iris = (
            RagIris(str(stack.settings.base_iri), str(r)) for r in (rag_id, other_rag_id)
        )
        for rag, rag_iris in ((rag_id, iris), (other_rag_id, other_iris)):
            cycle = create_review_cycle(stack.settings, rag, first_candidate(rag_iris))
            approved = http.post(f"/rags/{rag}/cycles/{cycle}/approve", headers=owner.headers)
            assert approved.status_code == 200, approved.text
        create_review_cycle(stack.settings, rag_id, second_candidate(iris))  # stays in review
    yield Scene(stack, rag_id, other_rag_id, owner, viewer, outsider, iris, other_iris)


@pytest.fixture()
def http(scene: Scene) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=scene.stack.api_url, timeout=60) as client:
        yield client


def sparql(
    http: httpx.Client, scene: Scene, query: str, *, who: Account | None = None, **kwargs: Any
) -> httpx.Response:
    headers = {**(who or scene.viewer).headers, **kwargs.pop("headers", {})}
    return http.get(
        f"/rags/{scene.rag_id}/sparql", params={"query": query}, headers=headers, **kwargs
    )


def values(response: httpx.Response, name: str) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return {row[name]["value"] for row in response.json()["results"]["bindings"]}


def error_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["code"])


def test_a_viewer_reads_production_through_get_and_post(http: httpx.Client, scene: Scene) -> None:
    assert values(sparql(http, scene, LABELS), "label") == FIRST_ENTITIES

    url, headers = f"/rags/{scene.rag_id}/sparql", scene.viewer.headers
    form = http.post(url, data={"query": LABELS}, headers=headers)
    assert values(form, "label") == FIRST_ENTITIES
    body = http.post(
        url,
        content=LABELS.encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
    )
    assert values(body, "label") == FIRST_ENTITIES


def test_results_come_in_the_format_accepted(http: httpx.Client, scene: Scene) -> None:
    xml = sparql(http, scene, LABELS, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    parsed = Result.parse(io.BytesIO(xml.content), format="xml")
    assert {str(row[Variable("label")]) for row in parsed.bindings} == FIRST_ENTITIES

    table = sparql(http, scene, LABELS, headers={"Accept": "text/csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == ["label"] and {row[0] for row in rows[1:]} == FIRST_ENTITIES

    ask = sparql(
        http, scene, "ASK { ?e rdfs:label 'Berlin'@en }", headers={"Accept": "application/json"}
    )
    ask_any = sparql(http, scene, "ASK { ?e rdfs:label ?l }")
    assert ask_any.json()["boolean"] is True and isinstance(ask.json()["boolean"], bool)

    alice = entity(scene.iris, "Alice Smith")
    construct = f"CONSTRUCT {{ <{alice}> ?p ?o }} WHERE {{ <{alice}> ?p ?o }}"
    turtle = sparql(http, scene, construct)
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) > 3 and {str(s) for s in graph.subjects()} == {alice}
    lines = sparql(http, scene, construct, headers={"Accept": "application/n-triples, */*;q=0.1"})
    assert lines.headers["content-type"].startswith("application/n-triples")
    assert set(Graph().parse(data=lines.text, format="nt")) == set(graph)

    refused = sparql(http, scene, LABELS, headers={"Accept": "image/png"})
    assert error_code(refused, 406) == "not_acceptable"
    assert "application/sparql-results+json" in refused.json()["error"]["message"]


def test_only_the_current_production_of_the_rag_is_visible(
    http: httpx.Client, scene: Scene
) -> None:
    everything = sparql(http, scene, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    subjects = values(everything, "s")
    assert entity(scene.iris, "Alice Smith") in subjects
    # another RAG's production (same labels, other IRIs) is not in this RAG's endpoint
    assert not {s for s in subjects if s.startswith(scene.other_iris.prefix)}
    # the change set under review is not production yet
    descriptions = values(sparql(http, scene, "SELECT ?d WHERE { ?e dcterms:description ?d }"), "d")
    assert descriptions and NEW_ALICE not in descriptions


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "GRAPH"),
        ("SELECT * FROM <{other}> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <{other}> WHERE { ?s ?p ?o }", "FROM NAMED"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        (
            "SELECT * WHERE { ?s ?p ?o "
            "OPTIONAL { SERVICE SILENT <http://x.test/q> { ?s ?q ?r } } }",
            "SERVICE",
        ),
    ],
)
def test_queries_reaching_beyond_production_are_refused(
    http: httpx.Client, scene: Scene, query: str, names: str
) -> None:
    other = str(scene.other_iris.graph("prod"))
    refused = sparql(http, scene, query.replace("{other}", other))
    assert error_code(refused, 400) == "sparql_refused"
    assert names in refused.json()["error"]["message"]

    url = f"/rags/{scene.rag_id}/sparql"
    dataset = http.get(
        url, params={"query": LABELS, "default-graph-uri": other}, headers=scene.viewer.headers
    )
    assert error_code(dataset, 400) == "sparql_refused"


def test_updates_are_refused_and_change_nothing(http: httpx.Client, scene: Scene) -> None:
    before = values(sparql(http, scene, LABELS), "label")
    insert = "INSERT DATA { <urn:x:evil> rdfs:label 'evil' }"
    drop = f"DROP GRAPH <{scene.iris.graph('prod')}>"
    url, owner = f"/rags/{scene.rag_id}/sparql", scene.owner.headers
    attempts = [
        sparql(http, scene, insert, who=scene.owner),
        http.post(url, data={"update": drop}, headers=owner),
        http.post(url, data={"query": drop}, headers=owner),
        http.post(
            url,
            content=drop.encode(),
            headers={**owner, "Content-Type": "application/sparql-update"},
        ),
    ]
    for attempt in attempts:
        assert error_code(attempt, 400) == "sparql_update_refused"
        assert "read-only" in attempt.json()["error"]["message"]
    assert values(sparql(http, scene, LABELS), "label") == before


def test_bad_requests_say_what_is_wrong(http: httpx.Client, scene: Scene) -> None:
    syntax = sparql(http, scene, "SELECT ?x WHERE { ?x ")
    assert error_code(syntax, 400) == "sparql_syntax"
    assert "line 1" in syntax.json()["error"]["message"]
    undeclared = sparql(http, scene, "SELECT ?x WHERE { ?x nope:p ?y }")
    assert error_code(undeclared, 400) == "sparql_syntax"
    url, headers = f"/rags/{scene.rag_id}/sparql", scene.viewer.headers
    assert error_code(http.get(url, headers=headers), 422) == "validation_error"
    as_json = http.post(url, json={"query": LABELS}, headers=headers)
    assert error_code(as_json, 415) == "unsupported_media_type"
    assert "application/sparql-query" in as_json.json()["error"]["message"]
    empty = http.post(url, data={"query": "  "}, headers=headers)
    assert error_code(empty, 422) == "sparql_empty"


def test_only_members_may_query(http: httpx.Client, scene: Scene) -> None:
    assert error_code(sparql(http, scene, LABELS, who=scene.outsider), 404) == "rag_not_found"
    anonymous = http.get(f"/rags/{scene.rag_id}/sparql", params={"query": LABELS})
    assert anonymous.status_code == 401


def limited_api(scene: Scene, **limits: float) -> ThreadedServer:
    """An API of the scene's stack whose SPARQL endpoint has other limits."""
    return ThreadedServer(create_app(scene.stack.settings.model_copy(update=limits)))


def test_a_result_over_the_size_limit_is_refused(scene: Scene) -> None:
    with (
        limited_api(scene, sparql_max_result_bytes=2_000) as api,
        httpx.Client(base_url=api.url, timeout=60) as http,
    ):
        big = sparql(http, scene, "SELECT * WHERE { ?s ?p ?o }")
        assert error_code(big, 422) == "sparql_result_too_large"
        assert "2,000 bytes" in big.json()["error"]["message"]
        small = sparql(http, scene, "SELECT ?label WHERE { ?e rdfs:label ?label } LIMIT 2")
        assert len(values(small, "label")) == 2


def test_a_query_over_the_time_limit_is_refused(scene: Scene) -> None:
    with (
        limited_api(scene, sparql_timeout_s=0.05) as api,
        httpx.Client(base_url=api.url, timeout=60) as http,
    ):
        # Production joined with itself three times: millions of rows to count.
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        timed_out = sparql(http, scene, slow)
    assert error_code(timed_out, 422) == "sparql_timeout"
    assert "0.05 s" in timed_out.json()["error"]["message"]
