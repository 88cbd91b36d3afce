"""The ``TripleStore`` contract, on Oxigraph and on Fuseki alike: every method of the client,
the isolation of one RAG's space from another's, and the translation of failures into
``StoreError``s. Results are compared as sets of triples or rows, the same on both stores."""

from __future__ import annotations

import importlib.metadata

import pytest
from rdflib import Graph

from ferag.stack.servers import free_port
from ferag.store.client import (
    StoreRequestError,
    StoreUnavailable,
    TripleStore,
    make_store,
)
from graphrag_lib.sparql_terms import iri
from graphrag_lib.vocab import RagIris
from tests.integration.store.conftest import BASE_IRI

TRIPLES = (
    "<urn:ferag:a> <urn:ferag:knows> <urn:ferag:b> .\n"
    '<urn:ferag:a> <http://www.w3.org/2000/01/rdf-schema#label> "Алиса"@ru .\n'
    '<urn:ferag:b> <urn:ferag:weight> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
).encode()


def _graph(ntriples: bytes) -> Graph:
    return Graph().parse(data=ntriples.decode(), format="nt")


def _insert(store: TripleStore, rag_id: int, graph: str) -> None:
    store.update(rag_id, f"INSERT DATA {{ GRAPH {iri(graph)} {{ {TRIPLES.decode()} }} }}")


def test_ping_answers_with_its_duration(store: TripleStore) -> None:
    assert 0 <= store.ping() < 5


def test_the_server_reports_its_version(store: TripleStore) -> None:
    from ferag.stack.fuseki_jar import FUSEKI_VERSION

    version = store.server_version()

    if store.kind == "fuseki":
        assert version == FUSEKI_VERSION
    else:
        assert version == importlib.metadata.version("oxigraph")  # the wheel's server binary


def test_an_update_is_read_back_by_select_ask_and_construct(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    graph = str(iris.graph("prod"))
    _insert(store, rag_id, graph)

    rows = store.select(
        rag_id, f"SELECT ?s ?o WHERE {{ GRAPH {iri(graph)} {{ ?s <urn:ferag:knows> ?o }} }}"
    )
    assert rows == [
        {"s": {"type": "uri", "value": "urn:ferag:a"}, "o": {"type": "uri", "value": "urn:ferag:b"}}
    ]
    label = store.select(rag_id, f"SELECT ?l WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?l }} }}")
    assert {"type": "literal", "value": "Алиса", "xml:lang": "ru"} in [r["l"] for r in label]
    assert store.ask(rag_id, f"ASK {{ GRAPH {iri(graph)} {{ <urn:ferag:a> ?p ?o }} }}") is True
    assert store.ask(rag_id, f"ASK {{ GRAPH {iri(graph)} {{ <urn:ferag:c> ?p ?o }} }}") is False
    built = store.construct(
        rag_id, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
    )
    assert _graph(built).isomorphic(_graph(TRIPLES))


def test_put_graph_replaces_the_graph_and_get_graph_reads_it(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    graph = str(iris.graph("staging"))
    store.put_graph(rag_id, graph, b"<urn:ferag:old> <urn:ferag:p> <urn:ferag:o> .\n")
    store.put_graph(rag_id, graph, TRIPLES)

    assert _graph(store.get_graph(rag_id, graph)).isomorphic(_graph(TRIPLES))


def test_post_graph_adds_to_the_graph(store: TripleStore, rag_id: int, iris: RagIris) -> None:
    graph = str(iris.graph("staging"))
    old = b"<urn:ferag:old> <urn:ferag:p> <urn:ferag:o> .\n"
    store.post_graph(rag_id, graph, old)
    store.post_graph(rag_id, graph, TRIPLES)

    assert _graph(store.get_graph(rag_id, graph)).isomorphic(_graph(old + TRIPLES))


def test_a_missing_graph_reads_as_empty(store: TripleStore, rag_id: int, iris: RagIris) -> None:
    assert store.get_graph(rag_id, str(iris.graph("never-written"))) == b""


def test_a_select_with_no_match_is_an_empty_list(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    # The RAG's own graph: on Oxigraph every RAG shares one dataset (spaces are graph names).
    graph = iris.graph("prod")
    assert store.select(rag_id, f"SELECT ?s WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}") == []


def test_create_space_is_idempotent_and_keeps_the_data(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    graph = str(iris.graph("prod"))
    _insert(store, rag_id, graph)

    store.create_space(rag_id)

    assert _graph(store.get_graph(rag_id, graph)).isomorphic(_graph(TRIPLES))


def test_drop_space_removes_the_rag_and_nothing_else(store: TripleStore, rag_id: int) -> None:
    other = rag_id + 5_000
    store.create_space(other)
    mine, theirs = RagIris(BASE_IRI, str(rag_id)), RagIris(BASE_IRI, str(other))
    _insert(store, rag_id, str(mine.graph("prod")))
    _insert(store, other, str(theirs.graph("prod")))
    try:
        store.drop_space(rag_id)
        store.drop_space(rag_id)  # dropping what is gone is not an error

        store.create_space(rag_id)
        assert store.get_graph(rag_id, str(mine.graph("prod"))) == b""
        kept = store.get_graph(other, str(theirs.graph("prod")))
        assert _graph(kept).isomorphic(_graph(TRIPLES))
    finally:
        store.drop_space(other)


def test_spaces_do_not_see_each_other_through_their_graph_names(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    other = rag_id + 5_000
    store.create_space(other)
    try:
        _insert(store, rag_id, str(iris.graph("prod")))
        # Each RAG's queries name its own graphs, so a neighbour's graph reads as empty.
        theirs = RagIris(BASE_IRI, str(other))
        assert store.get_graph(other, str(theirs.graph("prod"))) == b""
    finally:
        store.drop_space(other)


def test_bad_sparql_is_a_request_error(store: TripleStore, rag_id: int) -> None:
    with pytest.raises(StoreRequestError) as query_error:
        store.select(rag_id, "SELECT ?s WHERE { this is not sparql }")
    with pytest.raises(StoreRequestError) as update_error:
        store.update(rag_id, "INSERT NOTHING")

    assert query_error.value.status_code == update_error.value.status_code == 400


def test_bad_ntriples_are_a_request_error(store: TripleStore, rag_id: int, iris: RagIris) -> None:
    with pytest.raises(StoreRequestError) as error:
        store.put_graph(rag_id, str(iris.graph("prod")), b"<urn:a> not n-triples")

    assert error.value.status_code == 400


def test_an_unreachable_store_is_unavailable(store_kind: str) -> None:
    gone = make_store(store_kind, f"http://127.0.0.1:{free_port()}", BASE_IRI, timeout=2)
    try:
        calls = (
            gone.ping,
            lambda: gone.select(1, "SELECT * WHERE { ?s ?p ?o }"),
            lambda: gone.update(1, "CLEAR SILENT DEFAULT"),
            lambda: gone.get_graph(1, "urn:ferag:g"),
            lambda: gone.drop_space(1),
        )
        for call in calls:
            with pytest.raises(StoreUnavailable):
                call()
    finally:
        gone.close()


def test_a_large_update_and_query_go_through(
    store: TripleStore, rag_id: int, iris: RagIris
) -> None:
    # Approval sends a whole change set in one update, and merge asks about many IRIs in one
    # query: both run to megabytes, far past a web server's default form size limit.
    graph = iri(str(iris.graph("prod")))
    count = 10_000  # ~0.7 MB of update, 0.2 MB of query
    triples = " ".join(
        f'<urn:ferag:e{n}> <urn:ferag:label> "entity number {n} with some text" .'
        for n in range(count)
    )
    store.update(rag_id, f"INSERT DATA {{ GRAPH {graph} {{ {triples} }} }}")
    values = " ".join(f"<urn:ferag:e{n}>" for n in range(count))

    query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} GRAPH {graph} {{ ?s ?p ?o }} }}"
    )

    rows = store.select(rag_id, query)

    assert int(rows[0]["n"]["value"]) == count
