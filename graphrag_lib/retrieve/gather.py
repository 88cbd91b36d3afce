"""Reading the candidates of a context from the production graph through a ``SparqlRunner``.

Each function runs one query of ``graphrag_lib.retrieve.sparql`` and turns its JSON bindings
into plain records; ranking and the token budget are ``context``'s business.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib.namespace import OWL, RDFS

from graphrag_lib.retrieve import sparql

Row = dict[str, Any]
_SKIPPED_CLASSES = (str(OWL), str(RDFS))


class SparqlRunner(Protocol):
    """Runs a SPARQL SELECT and returns its ``results.bindings`` (SPARQL 1.1 JSON). Retrieval
    calls it from several threads at once (independent reads go side by side)."""

    def __call__(self, query: str) -> list[Row]: ...


def value(row: Row, name: str) -> str | None:
    cell = row.get(name)
    return None if cell is None else str(cell["value"])


def number(row: Row, name: str) -> float | None:
    text = value(row, name)
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def local_label(iri: str) -> str:
    """A readable name from an IRI's last segment: ``…#worksFor`` → ``works for``."""
    name = re.split(r"[#/]", iri)[-1]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return spaced.replace("_", " ").lower() if spaced != name else name


@dataclass
class EntityInfo:
    iri: str
    label: str
    description: str = ""
    classes: list[str] = field(default_factory=list)


@dataclass
class RelationCandidate:
    iri: str
    subject: str
    predicate: str
    object: str
    subject_label: str
    predicate_label: str
    object_label: str
    weight: float | None
    description: str
    hop: int
    valid_from: str | None = None
    valid_until: str | None = None
    is_current: bool = True  # no ferag:invalidatedIn


@dataclass
class PassageCandidate:
    iri: str
    hits: int
    sources: set[str]
    text: str = ""
    order: int | None = None
    document: str | None = None
    title: str = ""
    path: str | None = None
    folder: str | None = None


@dataclass
class ReportCandidate:
    iri: str
    title: str
    summary: str
    rank: float | None
    level: int | None


def read_entities(run: SparqlRunner, graph: str, iris: Sequence[str]) -> dict[str, EntityInfo]:
    infos: dict[str, EntityInfo] = {}
    for row in run(sparql.entity_details(graph, iris)):
        iri = value(row, "e") or ""
        info = infos.setdefault(iri, EntityInfo(iri, value(row, "label") or iri))
        info.description = info.description or (value(row, "description") or "")
        kind, kind_label = value(row, "type"), value(row, "typeLabel")
        if kind and not kind.startswith(_SKIPPED_CLASSES):
            name = kind_label or local_label(kind)
            if name not in info.classes:
                info.classes.append(name)
    return infos


def read_relations(
    run: SparqlRunner,
    graph: str,
    iris: Sequence[str],
    per_entity: int,
    limit: int,
    hop: int,
    current_only: bool = True,
) -> list[RelationCandidate]:
    """Relation statements around ``iris``, one record per statement (first labels win); only
    current ones with ``current_only``."""
    found: dict[str, RelationCandidate] = {}
    query = sparql.relations_of(graph, iris, per_entity, limit, current_only)
    for row in run(query):
        iri = value(row, "st") or ""
        if iri in found:
            continue
        s, p, o = value(row, "s") or "", value(row, "p") or "", value(row, "o") or ""
        found[iri] = RelationCandidate(
            iri=iri,
            subject=s,
            predicate=p,
            object=o,
            subject_label=value(row, "sLabel") or local_label(s),
            predicate_label=value(row, "pLabel") or local_label(p),
            object_label=value(row, "oLabel") or local_label(o),
            weight=number(row, "weight"),
            description=value(row, "description") or "",
            hop=hop,
            valid_from=value(row, "validFrom"),
            valid_until=value(row, "validUntil"),
            is_current=value(row, "invalidatedIn") is None,
        )
    return list(found.values())


def read_degrees(run: SparqlRunner, graph: str, iris: Sequence[str]) -> dict[str, int]:
    if not iris:
        return {}
    rows = run(sparql.degrees(graph, iris))
    return {value(row, "n") or "": int(number(row, "degree") or 0) for row in rows}


def read_passages(
    run: SparqlRunner, graph: str, sources: Sequence[str], limit: int
) -> list[PassageCandidate]:
    """The passages most shared by ``sources``, with their text and document."""
    found: dict[str, PassageCandidate] = {}
    for row in run(sparql.passages_of(graph, sources, limit)):
        iri = value(row, "passage") or ""
        if iri in found or not iri:
            continue
        order = number(row, "order")
        path = value(row, "path")
        found[iri] = PassageCandidate(
            iri=iri,
            hits=int(number(row, "hits") or 0),
            sources=set((value(row, "sources") or "").split()),
            text=value(row, "text") or "",
            order=None if order is None else int(order),
            document=value(row, "document"),
            title=value(row, "title") or path or "",
            path=path,
            folder=value(row, "folder"),
        )
    return list(found.values())


def read_reports(
    run: SparqlRunner, graph: str, entities: Sequence[str], limit: int
) -> list[ReportCandidate]:
    """Reports of the entities' communities, or the graph's top reports if none are given;
    best first."""
    query = (
        sparql.reports_of(graph, entities, limit) if entities else sparql.top_reports(graph, limit)
    )
    ranked = sorted(
        (-(number(row, "members") or 0), -(number(row, "rank") or 0), value(row, "report") or "")
        for row in run(query)
    )
    order = [iri for *_, iri in ranked if iri]
    if not order:
        return []
    reports: dict[str, ReportCandidate] = {}
    for row in run(sparql.report_details(graph, order)):
        iri = value(row, "report") or ""
        level = number(row, "level")
        reports.setdefault(
            iri,
            ReportCandidate(
                iri=iri,
                title=value(row, "title") or "",
                summary=value(row, "summary") or "",
                rank=number(row, "rank"),
                level=None if level is None else int(level),
            ),
        )
    return [reports[iri] for iri in order if iri in reports]
