"""A RAG with the fixed chat graph in production, a viewer of it, and a RAG the viewer is not a
member of; the viewer's API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import TripleStore, store_from_settings
from graphrag_lib.vocab import RagIris
from tests.factories import Account, add_member, create_account, create_rag
from tests.fixtures.chat_graph import ChatGraph, build_chat_graph
from tests.integration.chat.conftest import load_production
from tests.integration.chat.test_openai_api import create_key


@dataclass
class McpScene:
    rag_id: int
    other_rag_id: int  # the viewer is not a member
    viewer: Account
    key: str  # the viewer's API key
    iris: RagIris
    graph: ChatGraph


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[TripleStore]:
    client = store_from_settings(settings)
    yield client
    client.close()


@pytest.fixture(scope="module")
def scene(api_url: str, settings: Settings, store: TripleStore) -> McpScene:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        owner, viewer = create_account(http), create_account(http)
        rag_id = create_rag(http, owner, "mcp graph")
        other = create_rag(http, owner, "owner's private graph")
        add_member(http, owner, rag_id, viewer, "viewer")
        key = create_key(http, viewer, "mcp")["key"]
    iris = RagIris(str(settings.base_iri), str(rag_id))
    graph = build_chat_graph(iris)
    load_production(settings, store, rag_id, graph.graph)
    other_graph = build_chat_graph(RagIris(str(settings.base_iri), str(other)))
    load_production(settings, store, other, other_graph.graph)
    return McpScene(rag_id, other, viewer, key, iris, graph)
