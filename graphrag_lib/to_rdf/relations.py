"""Relations: a direct ``subject ferag:relatedTo object`` triple plus a statement node.

The statement node (``…/relation/{key}``, an ``rdf:Statement``) carries subject, predicate,
object, description, weight and the passages the relation was read from; the schema step later
replaces ``ferag:relatedTo`` by an ontology property in both places. Each statement gets
``ferag:validFrom`` and ``ferag:validFromSource`` when a date is known (``valid_time``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from graphrag_lib.documents.dates import DocumentDate
from graphrag_lib.to_rdf.cells import as_float, as_list, as_text
from graphrag_lib.to_rdf.valid_time import PassageDates, earliest, text_valid_from
from graphrag_lib.vocab import FERAG, RagIris, entity_key, relation_key, text_literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelationDating:
    """What dating a relation needs: each entity key's names (labels and aliases), the
    passages' texts (text unit id → dated sentences) and each text unit's document date."""

    names: Mapping[str, Sequence[str]]
    passages: PassageDates
    unit_dates: Mapping[str, DocumentDate]


@dataclass
class _RelationDraft:
    subject: URIRef
    object: URIRef
    ends: tuple[str, str]  # entity keys
    descriptions: list[str] = field(default_factory=list)
    weight: float = 0.0
    passages: set[URIRef] = field(default_factory=set)
    units: dict[str, None] = field(default_factory=dict)  # text unit ids in reading order


def add_statement(
    graph: Graph,
    statement: URIRef,
    triple: tuple[URIRef, URIRef, URIRef],
    description: str,
    weight: float,
) -> None:
    """The direct triple and its statement node (without provenance)."""
    subject, predicate, obj = triple
    graph.add(triple)
    graph.add((statement, RDF.type, RDF.Statement))
    graph.add((statement, RDF.type, FERAG.Relation))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, predicate))
    graph.add((statement, RDF.object, obj))
    if description:
        graph.add((statement, DCTERMS.description, text_literal(description)))
    graph.add((statement, FERAG.weight, Literal(weight)))


def _gather(
    relationships: pd.DataFrame,
    entity_iris: Mapping[str, URIRef],
    passage_iris: Mapping[str, URIRef],
) -> dict[str, _RelationDraft]:
    drafts: dict[str, _RelationDraft] = {}
    for row in relationships.itertuples(index=False):
        source, target = entity_key(as_text(row.source)), entity_key(as_text(row.target))
        if source not in entity_iris or target not in entity_iris:
            logger.warning("relation %s → %s has an unknown end; skipped", row.source, row.target)
            continue
        if source == target:
            continue  # both ends became one entity
        key = relation_key(source, FERAG.relatedTo, target)
        draft = drafts.setdefault(
            key, _RelationDraft(entity_iris[source], entity_iris[target], (source, target))
        )
        if (description := as_text(row.description)) and description not in draft.descriptions:
            draft.descriptions.append(description)
        draft.weight += as_float(row.weight)
        units = [as_text(unit) for unit in as_list(row.text_unit_ids)]
        draft.passages.update(passage_iris[unit] for unit in units if unit in passage_iris)
        draft.units.update(dict.fromkeys(units))
    return drafts


def valid_from(draft: _RelationDraft, dating: RelationDating) -> DocumentDate | None:
    """A date stated next to the fact, else the earliest date of its documents."""
    subject, obj = draft.ends
    stated = text_valid_from(
        dating.names.get(subject, ()),
        dating.names.get(obj, ()),
        "\n".join(draft.descriptions),
        list(draft.units),
        dating.passages,
    )
    if stated is not None:
        return DocumentDate(stated, "text")
    return earliest(dating.unit_dates[unit] for unit in draft.units if unit in dating.unit_dates)


def add_relations(
    graph: Graph,
    relationships: pd.DataFrame,
    iris: RagIris,
    entity_iris: Mapping[str, URIRef],
    passage_iris: Mapping[str, URIRef],
    dating: RelationDating | None = None,
) -> int:
    """Add every relationship; returns the number of statements.

    Rows whose ends became one entity are dropped; rows with the same ends are combined
    (descriptions joined, weights summed, provenance united), as GraphRAG does. With
    ``dating``, each statement gets its valid time (``valid_from``).
    """
    drafts = _gather(relationships, entity_iris, passage_iris)
    for key, draft in drafts.items():
        statement = iris.relation(key)
        triple = (draft.subject, FERAG.relatedTo, draft.object)
        add_statement(graph, statement, triple, "\n".join(draft.descriptions), draft.weight)
        for passage in draft.passages:
            graph.add((statement, PROV.wasDerivedFrom, passage))
        if dating is not None and (dated := valid_from(draft, dating)) is not None:
            graph.add((statement, FERAG.validFrom, dated.value.literal()))
            graph.add((statement, FERAG.validFromSource, Literal(dated.source)))
    return len(drafts)
