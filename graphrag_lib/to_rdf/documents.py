"""Documents and their passages (GraphRAG text units) as RDF resources."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from graphrag_lib.documents.dates import DateSource, DocumentDate, PartialDate
from graphrag_lib.to_rdf.cells import as_int, as_text
from graphrag_lib.vocab import FERAG, RagIris, document_key, hash_key, text_literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentMeta:
    """What the upload knows about a document; ``path`` is its GraphRAG ``title``. ``date`` is
    the document's date (``SourceDocument.document_date()``), ``date_source`` where it came from.
    """

    path: str
    title: str
    format: str
    date: PartialDate | date | None = None
    date_source: DateSource = "upload"

    def document_date(self) -> DocumentDate | None:
        if self.date is None:
            return None
        value = self.date if isinstance(self.date, PartialDate) else PartialDate.of(self.date)
        return DocumentDate(value, self.date_source)


def _meta_for(path: str, metas: Mapping[str, DocumentMeta]) -> DocumentMeta:
    meta = metas.get(path)
    if meta is None:
        logger.warning("no document metadata for %s; using its path as title", path)
        meta = DocumentMeta(path, PurePosixPath(path).name, PurePosixPath(path).suffix[1:], None)
    return meta


def add_document(graph: Graph, iri: URIRef, meta: DocumentMeta) -> None:
    graph.add((iri, RDF.type, FERAG.Document))
    graph.add((iri, FERAG.key, Literal(document_key(meta.path))))
    graph.add((iri, DCTERMS.title, text_literal(meta.title)))
    graph.add((iri, FERAG.path, Literal(meta.path)))
    folder = str(PurePosixPath(meta.path).parent)
    if folder not in ("", "."):
        graph.add((iri, FERAG.folderPath, Literal(folder)))
    if meta.format:
        graph.add((iri, DCTERMS.format, Literal(meta.format)))
    if (dated := meta.document_date()) is not None:
        graph.add((iri, FERAG.documentDate, dated.value.literal()))
        graph.add((iri, FERAG.documentDateSource, Literal(dated.source)))


def add_documents(
    graph: Graph, documents: pd.DataFrame, iris: RagIris, metas: Sequence[DocumentMeta]
) -> dict[str, URIRef]:
    """Add every document; returns GraphRAG document id → document IRI."""
    by_path = {meta.path: meta for meta in metas}
    iri_of: dict[str, URIRef] = {}
    for row in documents.itertuples(index=False):
        meta = _meta_for(as_text(row.title), by_path)
        iri = iris.document(document_key(meta.path))
        add_document(graph, iri, meta)
        iri_of[as_text(row.id)] = iri
    return iri_of


def add_passages(
    graph: Graph, text_units: pd.DataFrame, iris: RagIris, document_iris: Mapping[str, URIRef]
) -> dict[str, URIRef]:
    """Add every text unit as a passage of its document; returns text unit id → passage IRI.

    A passage's key is its document's key plus a hash of its text (plus its order if the
    document repeats the text); its order is its position among the document's text units,
    which GraphRAG numbers in reading order.
    """
    iri_of: dict[str, URIRef] = {}
    ordered = text_units.assign(_order=text_units["human_readable_id"].map(as_int))
    for document_id, units in ordered.sort_values("_order").groupby("document_id", sort=False):
        document = document_iris.get(as_text(document_id))
        if document is None:
            logger.warning("text units of unknown document %s skipped", document_id)
            continue
        used: set[URIRef] = set()
        for order, row in enumerate(units.itertuples(index=False)):
            text = as_text(row.text)
            key = f"{iris.key_of(document, 'document')}-{hash_key(text)}"
            iri = (
                iris.passage(key)
                if iris.passage(key) not in used
                else iris.passage(f"{key}-{order}")
            )
            used.add(iri)
            _add_passage(graph, iri, text, order, document)
            if (tokens := as_int(row.n_tokens)) >= 0:
                graph.add((iri, FERAG.tokenCount, Literal(tokens)))
            iri_of[as_text(row.id)] = iri
    return iri_of


def _add_passage(graph: Graph, iri: URIRef, text: str, order: int, document: URIRef) -> None:
    graph.add((iri, RDF.type, FERAG.Passage))
    graph.add((iri, FERAG.text, text_literal(text)))
    graph.add((iri, FERAG.order, Literal(order)))
    graph.add((iri, FERAG.inDocument, document))
