"""The entity index on PostgreSQL against production in the triple store: golden links,
refresh after production changes, and questions that try to inject SQL or SPARQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ferag.services.entity_index import link_entities, rebuild_index, refresh_entities
from ferag.settings import Settings
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from graphrag_lib.vocab import FERAG, entity_key
from tests.factories import session_factory
from tests.integration.chat.conftest import ChatRag

INJECTIONS = (
    "'); DROP TABLE entity_index; --",
    'Alice Smith" } ; DROP ALL ; #',
    "Alice Smith> } INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } } #",
    "Acme' OR 1=1 --",
    "!(&|:*<->) Berlin",
)


def linked(settings: Settings, chat_rag: ChatRag, question: str) -> list[str]:
    names = {iri: name for name, iri in chat_rag.graph.entities.items()}
    with session_factory(settings.require("database_url"))() as db:
        return [names[e.iri] for e in link_entities(db, chat_rag.rag_id, question)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where does Alice Smith work?", ["alice"]),
        ("Where does Alice work?", ["alice"]),
        ("Who works for Acme Corp?", ["acme"]),
        ("What does the Acme Corporation build?", ["acme"]),
        ("What is Project Falcon?", ["falcon"]),
        ("Где живёт Иван Петров?", ["ivan"]),
        ("Где живёт Ивана Петрова сестра?", ["ivan"]),  # inflected
        ("Where does Ivan Petrov live?", ["ivan"]),
        ("Что известно об Алисе Смит?", ["alice"]),
        ("Tell me about Moskva", ["moscow"]),
        ("Что производит компания Ромашка?", ["romashka"]),
        ("How are Alice Smith and Bob Jones related?", ["alice", "bob"]),
        ("Who is Zorblax Quinterfield?", []),
        ("What are the main themes?", []),
    ],
)
def test_golden_links(
    settings: Settings, chat_rag: ChatRag, question: str, expected: list[str]
) -> None:
    assert linked(settings, chat_rag, question) == expected


def test_rebuild_indexes_every_entity_with_aliases(settings: Settings, chat_rag: ChatRag) -> None:
    with session_factory(settings.require("database_url"))() as db:
        rows = db.execute(
            sa.text("SELECT label, aliases FROM entity_index WHERE rag_id = :r ORDER BY label"),
            {"r": chat_rag.rag_id},
        ).all()
    assert len(rows) == len(chat_rag.graph.entities)
    assert ("Acme Corp", "Acme Corporation") in [tuple(r) for r in rows]


@pytest.mark.parametrize("question", INJECTIONS)
def test_injection_attempts_are_plain_words(
    settings: Settings, chat_rag: ChatRag, store: TripleStore, question: str
) -> None:
    graph = RagSpace(store, chat_rag.rag_id, chat_rag.iris).prod
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    before = store.select(chat_rag.rag_id, count)
    linked(settings, chat_rag, question)  # runs without error
    assert store.select(chat_rag.rag_id, count) == before
    with session_factory(settings.require("database_url"))() as db:
        rows = db.scalar(
            sa.text("SELECT count(*) FROM entity_index WHERE rag_id = :r"), {"r": chat_rag.rag_id}
        )
    assert rows == len(chat_rag.graph.entities)


def _carol(chat_rag: ChatRag) -> tuple[URIRef, str]:
    carol = chat_rag.iris.entity(entity_key("Carol Dupont"))
    triples = Graph()
    triples.add((carol, RDF.type, FERAG.Entity))
    triples.add((carol, RDFS.label, Literal("Carol Dupont")))
    triples.add((carol, DCTERMS.description, Literal("Carol Dupont audits Acme Corp.")))
    return carol, triples.serialize(format="nt")


def carol_links(settings: Settings, chat_rag: ChatRag) -> list[str]:
    with session_factory(settings.require("database_url"))() as db:
        return [e.label for e in link_entities(db, chat_rag.rag_id, "Who is Carol Dupont?")]


def test_refresh_follows_production_changes(
    settings: Settings, chat_rag: ChatRag, store: TripleStore
) -> None:
    """An approval adds Carol (refreshed with unrelated IRIs in the same call); a rollback
    removes her again."""
    space = RagSpace(store, chat_rag.rag_id, chat_rag.iris)
    rag_id, graph = space.rag_id, space.prod
    carol, triples = _carol(chat_rag)
    db_url = settings.require("database_url")
    store.update(rag_id, f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    assert carol_links(settings, chat_rag) == []  # not refreshed yet
    changed = [str(carol), "urn:not-ours", chat_rag.passage("bob"), chat_rag.entity("bob")]
    with session_factory(db_url).begin() as db:
        refresh_entities(db, space, changed)
    assert carol_links(settings, chat_rag) == ["Carol Dupont"]
    assert linked(settings, chat_rag, "Bob Jones") == ["bob"]  # re-read, unchanged

    store.update(rag_id, f"DELETE DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    with session_factory(db_url).begin() as db:
        refresh_entities(db, space, [str(carol)])
    assert carol_links(settings, chat_rag) == []


def test_rebuild_counts_production_entities(
    settings: Settings, chat_rag: ChatRag, store: TripleStore
) -> None:
    with session_factory(settings.require("database_url")).begin() as db:
        count = rebuild_index(db, RagSpace(store, chat_rag.rag_id, chat_rag.iris))
    assert count == len(chat_rag.graph.entities)


def test_refresh_ignores_other_rags_iris(
    settings: Settings, chat_rag: ChatRag, store: TripleStore
) -> None:
    other = URIRef(str(chat_rag.iris.entity("x")).replace(f"/rag/{chat_rag.rag_id}/", "/rag/0/"))
    with session_factory(settings.require("database_url")).begin() as db:
        refresh_entities(db, RagSpace(store, chat_rag.rag_id, chat_rag.iris), [str(other)])
    assert linked(settings, chat_rag, "Alice Smith") == ["alice"]
