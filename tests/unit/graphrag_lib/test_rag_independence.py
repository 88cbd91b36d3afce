"""The same GraphRAG tables and model answers give the same production in any RAG: two cycles
(to RDF, schema induction, merge, approval) in RAG 42 and in RAG 7 end in graphs that are equal
up to the RAG's names (``tests/rag_graphs.py``). Replacing the RAG's prefix alone is not enough:
relation and community keys hash IRIs that hold the RAG's id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graphrag_lib.llm import OpenAILikeChat
from graphrag_lib.merge import GraphProductionView, MergeConfig, apply_change_set
from graphrag_lib.merge import compute_change_set as merge
from graphrag_lib.schema import SchemaConfig, induce_schema
from graphrag_lib.to_rdf import tables_to_rdf
from graphrag_lib.vocab import FERAG, RagIris
from tests.rag_graphs import differences, rag_neutral, rag_neutral_text
from tests.unit.graphrag_lib.sample_tables import (
    CYCLE1_DOCUMENTS,
    CYCLE2_DOCUMENTS,
    cycle1_tables,
    cycle2_tables,
)
from tests.unit.graphrag_lib.standin_server import standin_endpoint

BASE = "https://kb.example.org/"
RAG_IDS = ("42", "7")


def productions(iris: RagIris, llm: OpenAILikeChat) -> list[Graph]:
    """Production after each of the two sample cycles in the RAG of ``iris``."""
    production, after = Graph(), []
    cycles = ((cycle1_tables(), CYCLE1_DOCUMENTS), (cycle2_tables(), CYCLE2_DOCUMENTS))
    for version, (tables, documents) in enumerate(cycles, start=1):
        extracted = tables_to_rdf(tables, iris, documents)
        ontology = GraphProductionView(production).ontology()
        schema = induce_schema(extracted, ontology, llm, SchemaConfig(), iris=iris)
        view = GraphProductionView(production)
        change_set = merge(
            schema.ontology + schema.typed, view, iris, MergeConfig(), version=version
        )
        apply_change_set(production, change_set)
        after.append(Graph() + production)
    return after


@pytest.fixture(scope="module")
def by_rag() -> Iterator[dict[str, list[str]]]:
    """Production after each cycle, as N-Triples, by RAG id."""
    with standin_endpoint() as endpoint:
        llm = OpenAILikeChat(endpoint)
        yield {
            rag: [g.serialize(format="nt") for g in productions(RagIris(BASE, rag), llm)]
            for rag in RAG_IDS
        }


def test_two_rags_get_the_same_production_from_the_same_tables(
    by_rag: dict[str, list[str]],
) -> None:
    (ours, theirs), (our_rag, their_rag) = by_rag.values(), RAG_IDS
    for cycle, (our_text, their_text) in enumerate(zip(ours, theirs, strict=True), start=1):
        mine = rag_neutral(our_text, RagIris(BASE, our_rag))
        other = rag_neutral(their_text, RagIris(BASE, their_rag))
        assert len(mine) == len(Graph().parse(data=our_text, format="nt")) > 0
        assert not differences(mine, other), f"after cycle {cycle}: {differences(mine, other)}"


def test_relation_and_community_names_differ_from_rag_to_rag(
    by_rag: dict[str, list[str]],
) -> None:
    """Why the comparison turns them into blank nodes: with the prefix replaced, the relations
    and communities of one RAG are still named differently in the other."""
    graphs = [
        Graph().parse(data=rag_neutral_text(by_rag[rag][-1], RagIris(BASE, rag)), format="nt")
        for rag in RAG_IDS
    ]
    for kind in (FERAG.Relation, FERAG.Community):
        ours, theirs = (
            {s for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef)} for g in graphs
        )
        assert ours and len(ours) == len(theirs)
        assert not ours & theirs, f"{kind} IRIs no longer hash the RAG's id: compare them as IRIs"
