"""Terms written by ``graphrag_lib.sparql_terms`` survive a real store: a literal inserted with
``literal`` reads back as the same text and is found again by the same term; an IRI with
non-ASCII letters names the same resource both ways; injection attempts stay data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from rdflib import XSD

from ferag.store.client import TripleStore
from graphrag_lib.sparql_terms import iri, literal

TEXTS = [
    'say "hi"',
    "back\\slash",
    "ends with a backslash\\",
    "line one\nline two",
    "windows\r\nline",
    'triple """ quotes inside',
    'ends with a quote"',
    'ends with two quotes""',
    'a newline and a closing quote\n"',
    '\n"""\n',
    "\\n is not a newline here",
    "tab\there, Москва, ✓, 𝄞",
    "{braces} <angles> ?var $var # not a comment",
    "",
    '" } ; DROP ALL ; INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> "c" } } #',
    "'\"\\'\\\"",
]


@pytest.fixture()
def graph(store: TripleStore) -> Iterator[str]:
    name = f"urn:ferag-test:terms:{uuid.uuid4().hex}"
    yield name
    store.update(0, f"DROP SILENT GRAPH {iri(name)}")


def _objects(store: TripleStore, graph: str, subject: str) -> list[dict[str, str]]:
    rows = store.select(0, f"SELECT ?o WHERE {{ GRAPH {iri(graph)} {{ {iri(subject)} ?p ?o }} }}")
    return [row["o"] for row in rows]


@pytest.mark.parametrize("text", TEXTS)
def test_a_literal_reads_back_as_written_and_matches_its_term(
    store: TripleStore, graph: str, text: str
) -> None:
    term = literal(text)
    store.update(0, f"INSERT DATA {{ GRAPH {iri(graph)} {{ <urn:s> <urn:p> {term} }} }}")

    (read,) = _objects(store, graph, "urn:s")
    assert read["value"] == text
    found = store.ask(0, f"ASK {{ GRAPH {iri(graph)} {{ <urn:s> <urn:p> {term} }} }}")
    assert found
    assert store.ask(0, "ASK { GRAPH <urn:x> { ?s ?p ?o } }") is False  # no injected triple


def test_language_and_datatype_survive(store: TripleStore, graph: str) -> None:
    terms = [literal('Ромашка "ООО"', lang="ru"), literal("42", datatype=XSD.integer)]
    values = " ".join(f"<urn:p{n}> {t} ;" for n, t in enumerate(terms))
    store.update(0, f"INSERT DATA {{ GRAPH {iri(graph)} {{ <urn:s> {values[:-2]} }} }}")

    read = sorted(_objects(store, graph, "urn:s"), key=lambda o: o["value"])

    assert read[0]["value"] == "42" and read[0]["datatype"] == str(XSD.integer)
    assert (read[1]["value"], read[1]["xml:lang"]) == ('Ромашка "ООО"', "ru")


def test_a_non_ascii_iri_names_the_same_resource_both_ways(store: TripleStore, graph: str) -> None:
    subject = "https://ferag.dev/rag/1/entity/москва-ромашка-1a2b"
    store.update(0, f"INSERT DATA {{ GRAPH {iri(graph)} {{ {iri(subject)} <urn:p> 1 }} }}")

    rows = store.select(0, f"SELECT ?s WHERE {{ GRAPH {iri(graph)} {{ ?s <urn:p> 1 }} }}")

    assert [row["s"]["value"] for row in rows] == [subject]
    assert len(_objects(store, graph, subject)) == 1
