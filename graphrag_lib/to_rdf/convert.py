"""``tables_to_rdf``: GraphRAG's output tables as one RDF graph in ferag's model."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rdflib import Graph, URIRef

from graphrag_lib.documents.dates import DocumentDate
from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf.cells import as_text
from graphrag_lib.to_rdf.communities import add_communities, add_reports
from graphrag_lib.to_rdf.documents import DocumentMeta, add_documents, add_passages
from graphrag_lib.to_rdf.entities import add_entities
from graphrag_lib.to_rdf.relations import RelationDating, add_relations
from graphrag_lib.to_rdf.valid_time import PassageDates
from graphrag_lib.vocab import RagIris, bind_prefixes, entity_key


def tables_to_rdf(
    tables: GraphRagTables, iris: RagIris, documents: Sequence[DocumentMeta]
) -> Graph:
    """The extracted graph of one cycle: documents, passages, entities (with provisional
    classes from their GraphRAG types), relations (``ferag:relatedTo`` plus statement nodes),
    communities and reports. ``documents`` gives each GraphRAG title (the upload path) its
    metadata, date included; relations are dated from their passages or documents
    (``valid_time``). Pure: reads nothing, writes nothing.
    """
    graph = Graph()
    bind_prefixes(graph, iris)
    document_iris = add_documents(graph, tables.documents, iris, documents)
    passage_iris = add_passages(graph, tables.text_units, iris, document_iris)
    texts = {as_text(r.id): as_text(r.text) for r in tables.text_units.itertuples(index=False)}
    entity_iris = add_entities(graph, tables.entities, iris, passage_iris, texts)
    dating = RelationDating(
        _names(tables.entities), PassageDates(texts), _unit_dates(tables, documents)
    )
    add_relations(graph, tables.relationships, iris, entity_iris, passage_iris, dating)
    entity_ids: dict[str, URIRef] = {
        as_text(row.id): entity_iris[key]
        for row in tables.entities.itertuples(index=False)
        if (key := entity_key(as_text(row.title))) in entity_iris
    }
    community_iris = add_communities(graph, tables.communities, iris, entity_ids)
    add_reports(graph, tables.community_reports, iris, community_iris)
    return graph


def _names(entities: pd.DataFrame) -> dict[str, list[str]]:
    """Entity key → the GraphRAG titles that became that entity."""
    names: dict[str, list[str]] = {}
    for row in entities.itertuples(index=False):
        if title := as_text(row.title):
            names.setdefault(entity_key(title), []).append(title)
    return names


def _unit_dates(
    tables: GraphRagTables, documents: Sequence[DocumentMeta]
) -> dict[str, DocumentDate]:
    """Text unit id → its document's date, for the units of dated documents."""
    by_path = {meta.path: dated for meta in documents if (dated := meta.document_date())}
    by_id = {
        as_text(row.id): by_path[as_text(row.title)]
        for row in tables.documents.itertuples(index=False)
        if as_text(row.title) in by_path
    }
    return {
        as_text(row.id): by_id[as_text(row.document_id)]
        for row in tables.text_units.itertuples(index=False)
        if as_text(row.document_id) in by_id
    }
