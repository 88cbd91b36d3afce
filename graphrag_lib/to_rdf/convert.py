"""``tables_to_rdf``: GraphRAG's output tables as one RDF graph in ferag's model."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, URIRef

from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf.cells import as_text
from graphrag_lib.to_rdf.communities import add_communities, add_reports
from graphrag_lib.to_rdf.documents import DocumentMeta, add_documents, add_passages
from graphrag_lib.to_rdf.entities import add_entities
from graphrag_lib.to_rdf.relations import add_relations
from graphrag_lib.vocab import RagIris, bind_prefixes, entity_key


def tables_to_rdf(
    tables: GraphRagTables, iris: RagIris, documents: Sequence[DocumentMeta]
) -> Graph:
    """The extracted graph of one cycle: documents, passages, entities (with provisional
    classes from their GraphRAG types), relations (``ferag:relatedTo`` plus statement nodes),
    communities and reports. ``documents`` gives each GraphRAG title (the upload path) its
    metadata. Pure: reads nothing, writes nothing.
    """
    graph = Graph()
    bind_prefixes(graph, iris)
    document_iris = add_documents(graph, tables.documents, iris, documents)
    passage_iris = add_passages(graph, tables.text_units, iris, document_iris)
    texts = {as_text(r.id): as_text(r.text) for r in tables.text_units.itertuples(index=False)}
    entity_iris = add_entities(graph, tables.entities, iris, passage_iris, texts)
    add_relations(graph, tables.relationships, iris, entity_iris, passage_iris)
    entity_ids: dict[str, URIRef] = {
        as_text(row.id): entity_iris[key]
        for row in tables.entities.itertuples(index=False)
        if (key := entity_key(as_text(row.title))) in entity_iris
    }
    community_iris = add_communities(graph, tables.communities, iris, entity_ids)
    add_reports(graph, tables.community_reports, iris, community_iris)
    return graph
