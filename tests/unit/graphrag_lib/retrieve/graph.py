"""The fixed chat graph in an rdflib dataset, with a ``SparqlRunner`` over rdflib's engine, so
library tests run the very queries the service sends to the triple store."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from rdflib import Dataset

from graphrag_lib.retrieve import EntityCandidate, IndexedEntity, SparqlRunner
from graphrag_lib.vocab import RagIris
from tests.fixtures.chat_graph import ENTITIES, ChatGraph, build_chat_graph

IRIS = RagIris("https://kb.example.org/", "7")
GRAPH = str(IRIS.graph("prod"))


@cache
def chat_graph() -> ChatGraph:
    return build_chat_graph(IRIS)


@cache
def dataset() -> Dataset:
    ds = Dataset()
    prod = ds.graph(IRIS.graph("prod"))
    for triple in chat_graph().graph:
        prod.add(triple)
    return ds


class RecordingRunner:
    """Runs SELECT queries on the dataset and keeps them. Retrieval calls a runner from
    several threads; rdflib's SPARQL parser is not thread-safe, so one query at a time."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, query: str) -> list[dict[str, Any]]:
        with self._lock:
            self.queries.append(query)
            return [
                {str(k): {"value": str(v)} for k, v in row.items() if v is not None}
                for row in dataset().query(query).bindings
            ]


def runner() -> SparqlRunner:
    return RecordingRunner()


def candidates() -> list[EntityCandidate]:
    """Every entity of the graph as a candidate (the index's full-text filter is the
    service's; ranking must work on everything)."""
    iris = chat_graph().entities
    return [
        EntityCandidate(IndexedEntity(iris[k], s.label, s.aliases, s.description))
        for k, s in ENTITIES.items()
    ]
