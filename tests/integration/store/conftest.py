"""Every test here runs on both stores: Oxigraph (local) and Apache Jena Fuseki (production),
through the same ``TripleStore`` client API, and must give the same results on each."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from ferag.stack.servers import Server
from ferag.store.client import TripleStore, make_store
from graphrag_lib.vocab import RagIris

BASE_IRI = "https://ferag.test/"
# RAG ids of this package's tests: far from those the API tests create on the shared Oxigraph.
_RAG_IDS = itertools.count(90_000 + (os.getpid() % 1000) * 10)


@pytest.fixture(params=["oxigraph", "fuseki"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def store(request: pytest.FixtureRequest, store_kind: str) -> Iterator[TripleStore]:
    """A client of the test Oxigraph or Fuseki, with RAG 0's space made (both stores need it
    before use: Fuseki has no dataset until ``create_space``)."""
    if store_kind == "fuseki":
        server: Server = request.getfixturevalue("fuseki_server")
        url, user, password = (
            server.url, server.env["FERAG_STORE_USER"], server.env["FERAG_STORE_PASSWORD"]
        )  # fmt: skip
    else:
        url, user, password = request.getfixturevalue("store_url"), None, None
    client = make_store(store_kind, url, BASE_IRI, user=user, password=password)
    client.create_space(0)
    yield client
    client.close()


@pytest.fixture()
def rag_id(store: TripleStore) -> Iterator[int]:
    """A fresh RAG with its space made, dropped after the test."""
    rag = next(_RAG_IDS)
    store.create_space(rag)
    yield rag
    store.drop_space(rag)


@pytest.fixture()
def iris(rag_id: int) -> RagIris:
    return RagIris(BASE_IRI, str(rag_id))
