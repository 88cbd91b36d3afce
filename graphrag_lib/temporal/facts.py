"""Relation statements read as ``Fact`` values: the candidate's (with the dates of the documents
they come from) and production's around the same entities (read by IRI, never by a scan)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from graphrag_lib.merge.view import ResourceReader
from graphrag_lib.temporal.times import Dated, latest
from graphrag_lib.vocab import FERAG, normalise_label


@dataclass(frozen=True)
class Fact:
    """One relation statement node and what merge needs of it."""

    iri: URIRef
    subject: URIRef
    predicate: URIRef
    object: URIRef
    description: str
    passages: frozenset[URIRef]
    valid_from: Dated | None = None
    valid_until: Dated | None = None
    is_current: bool = True
    document_date: Dated | None = None  # candidate: the latest date of its documents

    @property
    def triple(self) -> tuple[URIRef, URIRef, URIRef]:
        return self.subject, self.predicate, self.object

    @property
    def normalised(self) -> str:
        return normalise_label(self.description)

    @property
    def observed(self) -> Dated | None:
        """When the documents say it held: its ``validFrom``, else its document's date."""
        return self.valid_from or self.document_date


def _dated(graph: Graph, node: URIRef, value: URIRef, source: URIRef) -> Dated | None:
    found = graph.value(node, value)
    if not isinstance(found, Literal):
        return None
    given = graph.value(node, source)
    return Dated(found, given if isinstance(given, Literal) else None)


def read_fact(graph: Graph, statement: URIRef, document_date: Dated | None = None) -> Fact | None:
    """The fact ``statement`` in ``graph``; None unless it is a relation between two IRIs."""
    s, p, o = (graph.value(statement, term) for term in (RDF.subject, RDF.predicate, RDF.object))
    if not (isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(o, URIRef)):
        return None
    text = " ".join(sorted(str(d) for d in graph.objects(statement, DCTERMS.description)))
    passages = frozenset(x for x in graph.objects(statement, PROV.wasDerivedFrom)
                         if isinstance(x, URIRef))  # fmt: skip
    return Fact(
        statement, s, p, o, text, passages,
        valid_from=_dated(graph, statement, FERAG.validFrom, FERAG.validFromSource),
        valid_until=_dated(graph, statement, FERAG.validUntil, FERAG.validUntilSource),
        is_current=(statement, FERAG.invalidatedIn, None) not in graph,
        document_date=document_date,
    )  # fmt: skip


def _statements(graph: Graph) -> list[URIRef]:
    return sorted(x for x in graph.subjects(RDF.type, FERAG.Relation) if isinstance(x, URIRef))


def document_date(graph: Graph, passages: Iterable[URIRef]) -> Dated | None:
    """The latest date of the documents ``passages`` belong to, with its source."""
    dates = []
    for passage in passages:
        for document in graph.objects(passage, FERAG.inDocument):
            if isinstance(document, URIRef):
                found = _dated(graph, document, FERAG.documentDate, FERAG.documentDateSource)
                dates += [found] if found is not None else []
    return latest(dates)


def candidate_facts(data: Graph) -> list[Fact]:
    """The candidate's relation statements, dated by their documents."""
    facts = []
    for statement in _statements(data):
        passages = [
            x for x in data.objects(statement, PROV.wasDerivedFrom) if isinstance(x, URIRef)
        ]
        fact = read_fact(data, statement, document_date(data, passages))
        if fact is not None:
            facts.append(fact)
    return facts


def _chunks(items: list[URIRef], size: int) -> Iterator[list[URIRef]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def production_facts(
    production: ResourceReader, entities: Collection[URIRef], batch_size: int
) -> tuple[list[Fact], Graph]:
    """Production's statements with one of ``entities`` as subject or object, and their
    triples (read by ``referencing`` the entities, then ``describe`` the statements)."""
    statements: set[URIRef] = set()
    for batch in _chunks(sorted(entities), batch_size):
        pointing = production.referencing(batch)
        for end in (RDF.subject, RDF.object):
            statements |= {x for x in pointing.subjects(end, None) if isinstance(x, URIRef)}
    described = Graph()
    for batch in _chunks(sorted(statements), batch_size):
        described += production.describe(batch)
    facts = [f for x in _statements(described) if (f := read_fact(described, x)) is not None]
    return facts, described
