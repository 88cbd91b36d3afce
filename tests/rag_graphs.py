"""Comparing one RAG's graph with another RAG's: the same documents and model answers give the
same graph in any RAG, up to the names of the RAG (its id, its cycles' ids) and the names hashed
from them.

Every IRI of a RAG starts with its prefix (``…/rag/{id}/``), so that part is replaced by one
placeholder. Some keys are hashes of IRIs, and so of the RAG's id too (``docs/rdf-model.md``): a
relation statement's key hashes its predicate's IRI (``ont:worksAt`` is in the RAG's ontology
namespace), a community's (and its report's) hashes its members' IRIs, a merge record's and a
name record's their entities'. Two RAGs name the same relation, community, … with different
keys: those IRIs become blank nodes, and the two graphs must be isomorphic, every other term
compared as an RDF term (rdflib reads Fuseki's ``"1.0e0"^^xsd:double`` and Oxigraph's
``"1"^^xsd:double`` as one literal). Comparing only after replacing the prefix (what the
withdrawn cross-store comparison did) sees the same relations, named differently, as different
relations when the RAG ids differ, as they do in a full test run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import BNode, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.term import Node

from graphrag_lib.vocab import RagIris

PLACEHOLDER = "https://rag.test/"
# The IRIs whose keys hash IRIs of the RAG (``RagIris.relation``, ``community``, ``report`` and
# its findings, ``merge_record``, ``name_record``).
_HASHED = re.compile(rf"^{re.escape(PLACEHOLDER)}(relation|community|report|merge|name)/")


def rag_neutral_text(text: str, iris: RagIris, cycle_ids: Sequence[int] = ()) -> str:
    """N-Triples ``text`` with the RAG's prefix replaced by ``PLACEHOLDER`` and its cycles' ids
    (which each database numbers itself) by ``n1``, ``n2``, … in the order given."""
    text = text.replace(iris.prefix, PLACEHOLDER)
    for number, cycle_id in enumerate(cycle_ids, start=1):
        text = re.sub(rf"(cycle[/#:-]?){cycle_id}\b", rf"\g<1>n{number}", text)
    return text


def rag_neutral(text: str, iris: RagIris, cycle_ids: Sequence[int] = ()) -> Graph:
    """The graph of N-Triples ``text`` as any RAG would have it: ``rag_neutral_text``, then each
    IRI whose key hashes the RAG's IRIs a blank node (one per IRI)."""
    graph = Graph().parse(data=rag_neutral_text(text, iris, cycle_ids), format="nt")
    nodes: dict[URIRef, BNode] = {}

    def neutral(term: Node) -> Node:
        if isinstance(term, URIRef) and _HASHED.match(term):
            return nodes.setdefault(term, BNode())
        return term

    neutral_graph = Graph()
    for s, p, o in graph:
        neutral_graph.add((neutral(s), p, neutral(o)))
    return neutral_graph


def differences(ours: Graph, theirs: Graph, limit: int = 5) -> str:
    """'' when the two graphs are isomorphic, else a few triples only in each (blank nodes as
    canonical labels), for an assertion message."""
    if isomorphic(ours, theirs):
        return ""
    _both, only_ours, only_theirs = graph_diff(to_isomorphic(ours), to_isomorphic(theirs))
    return (
        f"{len(only_ours)} triples only in the first, e.g. {sorted(only_ours)[:limit]}; "
        f"{len(only_theirs)} only in the second, e.g. {sorted(only_theirs)[:limit]}"
    )
