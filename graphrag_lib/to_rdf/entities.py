"""Entities as RDF resources: GraphRAG rows whose titles normalise alike become one entity."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graphrag_lib.to_rdf.cells import as_int, as_list, as_text
from graphrag_lib.vocab import (
    FERAG,
    RagIris,
    camel_case,
    entity_key,
    normalise_label,
    text_literal,
)


@dataclass
class _EntityDraft:
    """One entity gathered from the GraphRAG rows that share its key."""

    labels: list[str] = field(default_factory=list)  # most frequent first
    types: set[str] = field(default_factory=set)
    descriptions: list[str] = field(default_factory=list)
    passages: set[URIRef] = field(default_factory=set)


def surface_form(title: str, texts: Iterable[str]) -> str:
    """How the documents write an all-caps GraphRAG title (``ALICE SMITH`` → ``Alice Smith``).

    GraphRAG upper-cases entity names; the first case-insensitive occurrence in the passages
    gives the label back its casing. Titles that are not all caps, or not found, stay as they are.
    """
    if not title.isupper():
        return title
    pattern = re.compile(
        r"(?<!\w)" + r"\s+".join(map(re.escape, title.split())) + r"(?!\w)", re.IGNORECASE
    )
    for text in texts:
        if match := pattern.search(text):
            return " ".join(match.group(0).split())
    return title


def _gather(
    entities: pd.DataFrame, passage_iris: Mapping[str, URIRef], texts: Mapping[str, str]
) -> dict[str, _EntityDraft]:
    drafts: dict[str, _EntityDraft] = {}
    ranked = entities.assign(_freq=entities["frequency"].map(lambda v: -as_int(v, 0)))
    for row in ranked.sort_values(["_freq", "title"], kind="stable").itertuples(index=False):
        title = as_text(row.title)
        if not title:
            continue
        units = [as_text(unit) for unit in as_list(row.text_unit_ids)]
        label = surface_form(title, (texts[unit] for unit in units if unit in texts))
        draft = drafts.setdefault(entity_key(label), _EntityDraft())
        if label not in draft.labels:
            draft.labels.append(label)
        if entity_type := as_text(row.type):
            draft.types.add(entity_type)
        if (description := as_text(row.description)) and description not in draft.descriptions:
            draft.descriptions.append(description)
        draft.passages.update(passage_iris[unit] for unit in units if unit in passage_iris)
    return drafts


def _add_entity(graph: Graph, iri: URIRef, key: str, draft: _EntityDraft, iris: RagIris) -> None:
    graph.add((iri, RDF.type, FERAG.Entity))
    graph.add((iri, FERAG.key, Literal(key)))
    for entity_type in draft.types:
        graph.add((iri, RDF.type, iris.ontology_term(camel_case(entity_type))))
    graph.add((iri, RDFS.label, text_literal(draft.labels[0])))
    for alias in draft.labels[1:]:
        graph.add((iri, SKOS.altLabel, text_literal(alias)))
    for label in draft.labels:
        graph.add((iri, FERAG.normalisedLabel, Literal(normalise_label(label))))
    if draft.descriptions:
        graph.add((iri, DCTERMS.description, text_literal("\n".join(draft.descriptions))))
    for passage in draft.passages:
        graph.add((iri, PROV.wasDerivedFrom, passage))


def add_entities(
    graph: Graph,
    entities: pd.DataFrame,
    iris: RagIris,
    passage_iris: Mapping[str, URIRef],
    texts: Mapping[str, str],
) -> dict[str, URIRef]:
    """Add every entity with a provisional class from its GraphRAG type.

    ``texts`` maps text unit id → text (to recover label casing). Returns entity key → IRI for
    each GraphRAG title's key, so relations can find their ends by title.
    """
    drafts = _gather(entities, passage_iris, texts)
    iri_of: dict[str, URIRef] = {}
    for key, draft in drafts.items():
        iri_of[key] = iris.entity(key)
        _add_entity(graph, iri_of[key], key, draft, iris)
    return iri_of
