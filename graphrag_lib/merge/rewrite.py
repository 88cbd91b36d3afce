"""Rewriting the candidate onto production's IRIs: renamed terms and entities, statement nodes
re-keyed from their resolved ends, and values that became duplicates combined."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from graphrag_lib.temporal.times import Dated, first_stated
from graphrag_lib.vocab import FERAG, RagIris, relation_key

# Properties with one value per resource; the others (types, aliases, provenance, members, direct
# relations) accumulate.
SINGLE_VALUED = frozenset(
    {
        DCTERMS.description, DCTERMS.title, DCTERMS.format, FERAG.text, FERAG.order,
        FERAG.tokenCount, FERAG.path, FERAG.folderPath, FERAG.documentDate,
        FERAG.documentDateSource, FERAG.weight,
        FERAG.rank, FERAG.level, FERAG.summary, FERAG.explanation, FERAG.key,
        FERAG.inDocument, FERAG.reportOf, FERAG.parentCommunity, RDF.subject, RDF.predicate,
        RDF.object,
    }
)  # fmt: skip


def rename(graph: Graph, mapping: Mapping[URIRef, URIRef]) -> Graph:
    """A copy of ``graph`` with every node in ``mapping`` replaced."""
    if not mapping:
        return Graph() + graph

    def swap(node: Node) -> Node:
        return mapping.get(node, node) if isinstance(node, URIRef) else node

    renamed = Graph()
    for s, p, o in graph:
        renamed.add((swap(s), swap(p), swap(o)))
    return renamed


def rekey_statements(graph: Graph, iris: RagIris) -> Graph:
    """Statement nodes renamed to ``relation(relation_key(subject key, predicate, object key))``
    so the same relation has the same IRI in every cycle."""
    mapping: dict[URIRef, URIRef] = {}
    for statement in graph.subjects(RDF.type, FERAG.Relation):
        subject, predicate = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
        )
        obj = graph.value(statement, RDF.object)
        if not (
            isinstance(subject, URIRef)
            and isinstance(obj, URIRef)
            and isinstance(predicate, URIRef)
        ):
            continue
        s_key, o_key = iris.key_of(subject, "entity"), iris.key_of(obj, "entity")
        if isinstance(statement, URIRef) and s_key and o_key:
            mapping[statement] = iris.relation(relation_key(s_key, predicate, o_key))
    _one_valid_time(graph, mapping)
    return rename(graph, mapping)


def _one_valid_time(graph: Graph, mapping: Mapping[URIRef, URIRef]) -> None:
    """Statements that become one (their ends were resolved to the same entities) keep one
    start time and its source (``first_stated``), paired as they were read."""
    merging: dict[URIRef, list[URIRef]] = defaultdict(list)
    for statement, target in mapping.items():
        merging[target].append(statement)
    for statements in merging.values():
        if len(statements) < 2:
            continue
        times = [
            Dated(value, source if isinstance(source, Literal) else None)
            for statement in statements
            for value in graph.objects(statement, FERAG.validFrom)
            if isinstance(value, Literal)
            for source in [graph.value(statement, FERAG.validFromSource)]
        ]
        kept = first_stated(times)
        for statement in statements:
            graph.remove((statement, FERAG.validFrom, None))
            graph.remove((statement, FERAG.validFromSource, None))
        if kept is not None:
            graph.add((statements[0], FERAG.validFrom, kept.value))
            if kept.source is not None:
                graph.add((statements[0], FERAG.validFromSource, kept.source))


def set_entity_keys(graph: Graph, iris: RagIris) -> None:
    """Make each entity's ``ferag:key`` the key of its (possibly new) IRI."""
    for entity in set(graph.subjects(RDF.type, FERAG.Entity)):
        key = iris.key_of(entity, "entity") if isinstance(entity, URIRef) else None
        if key is not None:
            graph.set((entity, FERAG.key, Literal(key)))


def _combined(values: list[Node]) -> Node:
    literals = sorted((v for v in values if isinstance(v, Literal)), key=str)
    if literals and all(isinstance(v.toPython(), int | float) for v in literals):
        return max(literals, key=lambda v: v.toPython())
    if len(literals) == len(values) and all(isinstance(v.toPython(), str) for v in literals):
        return Literal("\n".join(map(str, literals)), lang=literals[0].language)
    return min(values, key=str)


def combine_duplicates(graph: Graph) -> None:
    """Where renaming gave a resource two values of a single-valued property, keep one: texts
    joined, the largest number, else the first value."""
    for s, p in {(s, p) for s, p, _ in graph if p in SINGLE_VALUED}:
        values = sorted(graph.objects(s, p), key=str)
        if len(values) > 1:
            graph.set((s, p, _combined(values)))
