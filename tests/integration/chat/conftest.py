"""A RAG whose production graph is the fixed chat graph, indexed for linking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from rdflib import Graph

from ferag.services.entity_index import rebuild_index
from ferag.settings import Settings
from ferag.store.client import TripleStore, store_from_settings
from ferag.store.space import RagSpace
from graphrag_lib.vocab import RagIris
from tests.factories import Account, add_member, create_account, create_rag, session_factory
from tests.fixtures.chat_graph import ChatGraph, build_chat_graph


@dataclass
class ChatRag:
    rag_id: int
    owner: Account
    viewer: Account
    iris: RagIris
    graph: ChatGraph

    def entity(self, name: str) -> str:
        return self.graph.entities[name]

    def passage(self, name: str) -> str:
        return self.graph.passages[name]


def load_production(settings: Settings, store: TripleStore, rag_id: int, graph: Graph) -> None:
    """Write ``graph`` as the RAG's production graph and index its entities."""
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    store.put_graph(rag_id, space.prod, graph.serialize(format="nt").encode())
    with session_factory(settings.require("database_url")).begin() as db:
        rebuild_index(db, space)


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[TripleStore]:
    client = store_from_settings(settings)
    yield client
    client.close()


@pytest.fixture(scope="module")
def chat_rag(api_url: str, settings: Settings, store: TripleStore) -> ChatRag:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        owner, viewer = create_account(http), create_account(http)
        rag_id = create_rag(http, owner, "chat golden graph")
        add_member(http, owner, rag_id, viewer, "viewer")
    iris = RagIris(str(settings.base_iri), str(rag_id))
    graph = build_chat_graph(iris)
    load_production(settings, store, rag_id, graph.graph)
    return ChatRag(rag_id, owner, viewer, iris, graph)
