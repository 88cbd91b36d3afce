"""GraphRAG communities and their reports as RDF resources.

GraphRAG numbers communities per run, so the number means nothing in the next cycle; a
community's key is a hash of its level and its members' IRIs instead (so it differs from one RAG
to another, as ``docs/rdf-model.md`` says), and its report shares that key.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from graphrag_lib.to_rdf.cells import as_float, as_int, as_list, as_text
from graphrag_lib.vocab import FERAG, RagIris, hash_key, text_literal


def _community_key(level: int, members: list[URIRef]) -> str:
    return hash_key(str(level), *sorted(map(str, members)), length=16)


def add_communities(
    graph: Graph,
    communities: pd.DataFrame,
    iris: RagIris,
    entity_ids: Mapping[str, URIRef],
) -> dict[int, URIRef]:
    """Add every community (title, level, members, parent); returns community number → IRI.

    ``entity_ids`` maps GraphRAG entity id → entity IRI.
    """
    iri_of: dict[int, URIRef] = {}
    parents: dict[int, int] = {}
    for row in communities.itertuples(index=False):
        level = as_int(row.level, 0)
        ids = (as_text(e) for e in as_list(row.entity_ids))
        members = sorted({entity_ids[e] for e in ids if e in entity_ids})
        iri = iris.community(_community_key(level, members))
        number = as_int(row.community)
        iri_of[number] = iri
        parents[number] = as_int(row.parent)
        graph.add((iri, RDF.type, FERAG.Community))
        graph.add((iri, DCTERMS.title, text_literal(as_text(row.title))))
        graph.add((iri, FERAG.level, Literal(level)))
        for member in members:
            graph.add((iri, FERAG.member, member))
    for number, parent in parents.items():
        if parent in iri_of:
            graph.add((iri_of[number], FERAG.parentCommunity, iri_of[parent]))
    return iri_of


def _add_findings(graph: Graph, report: URIRef, findings: list[object]) -> None:
    for order, finding in enumerate(findings):
        if not isinstance(finding, Mapping):
            continue
        node = URIRef(f"{report}/finding/{order}")
        graph.add((report, FERAG.finding, node))
        graph.add((node, RDF.type, FERAG.Finding))
        graph.add((node, FERAG.order, Literal(order)))
        graph.add((node, FERAG.summary, text_literal(as_text(finding.get("summary")))))
        graph.add((node, FERAG.explanation, text_literal(as_text(finding.get("explanation")))))


def add_reports(
    graph: Graph, reports: pd.DataFrame, iris: RagIris, community_iris: Mapping[int, URIRef]
) -> None:
    """Add every community report (title, summary, rank, findings), linked to its community."""
    for row in reports.itertuples(index=False):
        community = community_iris.get(as_int(row.community))
        if community is None:
            continue
        key = iris.key_of(community, "community")
        assert key is not None
        report = iris.report(key)
        graph.add((report, RDF.type, FERAG.CommunityReport))
        graph.add((report, FERAG.reportOf, community))
        graph.add((report, DCTERMS.title, text_literal(as_text(row.title))))
        graph.add((report, FERAG.summary, text_literal(as_text(row.summary))))
        graph.add((report, FERAG.rank, Literal(as_float(row.rank))))
        _add_findings(graph, report, as_list(row.findings))
