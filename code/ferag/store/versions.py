"""Applying change sets to a RAG's production graph, and the marker of the version it holds.

A change is a sequence of ``ChangeStep``s (delete one graph's triples from ``prod``, insert
another's) sent as **one** SPARQL Update request, which Oxigraph and Fuseki each run as one
transaction. The same request rewrites the version marker in the RAG's ``meta`` graph::

    <…/graph/prod> ferag:productionVersion 7 ;
                   ferag:versionRecord "{…JSON of the change that made version 7…}" .

so the store itself says which version production holds, whatever happened to the service in
between. The same request also adds the version's resource to ``meta`` (``ferag:Version``, its
number, ``prov:generatedAtTime`` the approval or rollback, and ``ferag:overrideReason`` when an
owner approved despite consistency-gate violations): what statements' ``ferag:recordedIn`` and
``ferag:invalidatedIn`` point at. Every operation of the request is guarded by the marker the
caller expects: if production is not at that version, the request changes nothing (a
compare-and-set). All work is server-side and follows the size of the change set, never of
production.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import PROV, RDF, XSD

from ferag.store.client import StoreError
from ferag.store.space import RagSpace
from graphrag_lib.sparql_terms import iri, literal
from graphrag_lib.vocab import FERAG

_VERSION = iri(FERAG.productionVersion)
_RECORD = iri(FERAG.versionRecord)
_ENTITY = iri(FERAG.Entity)
_VERSION_RESOURCE = (
    iri(RDF.type),
    iri(FERAG.Version),
    iri(FERAG.versionNumber),
    iri(PROV.generatedAtTime),
)


class VersionMarkerError(StoreError):
    """The ``meta`` graph holds something other than one version marker and one record."""


@dataclass(frozen=True)
class ChangeStep:
    """Delete the triples of graph ``delete`` from production, then insert those of ``insert``.

    A cycle's change set is ``ChangeStep(insert=add, delete=remove)``; its inverse swaps them.
    """

    insert: str
    delete: str

    def inverse(self) -> ChangeStep:
        return ChangeStep(insert=self.delete, delete=self.insert)


@dataclass(frozen=True)
class Marker:
    """The version production holds (0 before the first approval) and the record of its change."""

    number: int
    record: dict[str, Any]


def read_marker(space: RagSpace) -> Marker:
    rows = space.select(
        f"SELECT ?p ?o WHERE {{ GRAPH {iri(space.meta)} {{ {iri(space.prod)} ?p ?o }} }}"
    )
    numbers = [r["o"]["value"] for r in rows if r["p"]["value"] == str(FERAG.productionVersion)]
    records = [r["o"]["value"] for r in rows if r["p"]["value"] == str(FERAG.versionRecord)]
    if not numbers and not records:
        return Marker(0, {})
    if len(numbers) != 1 or len(records) != 1:
        raise VersionMarkerError(
            f"RAG {space.rag_id}'s meta graph holds {len(numbers)} version markers and "
            f"{len(records)} records instead of one each; restore it from a backup"
        )
    return Marker(int(numbers[0]), json.loads(records[0]))


def _guard(space: RagSpace, expected: int) -> str:
    """A pattern that matches (once) only while production is at version ``expected``."""
    meta, prod = iri(space.meta), iri(space.prod)
    if expected == 0:
        return f"FILTER NOT EXISTS {{ GRAPH {meta} {{ {prod} {_VERSION} ?any }} }}"
    return f"GRAPH {meta} {{ {prod} {_VERSION} {expected} }}"


def _copy(source: str, target: str, guard: str, *, delete: bool) -> str:
    verb = "DELETE" if delete else "INSERT"
    return (
        f"{verb} {{ GRAPH {iri(target)} {{ ?s ?p ?o }} }} "
        f"WHERE {{ {guard} GRAPH {iri(source)} {{ ?s ?p ?o }} }}"
    )


def _trim(step: ChangeStep, prod: str, guard: str) -> list[str]:
    """Make a step exact: ``insert`` without what production has, ``delete`` only what it has."""
    return [
        f"DELETE {{ GRAPH {iri(step.insert)} {{ ?s ?p ?o }} }} WHERE {{ {guard} "
        f"GRAPH {iri(step.insert)} {{ ?s ?p ?o }} GRAPH {iri(prod)} {{ ?s ?p ?o }} }}",
        f"DELETE {{ GRAPH {iri(step.delete)} {{ ?s ?p ?o }} }} WHERE {{ {guard} "
        f"GRAPH {iri(step.delete)} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH {iri(prod)} {{ ?s ?p ?o }} }} }}",
    ]


def build_update(
    space: RagSpace,
    steps: Sequence[ChangeStep],
    *,
    expected: int,
    record: dict[str, Any],
    trim: Sequence[ChangeStep] = (),
) -> str:
    """The one SPARQL Update that moves production from version ``expected`` to
    ``record["number"]``: optional trims, the steps in order, then the new marker."""
    prod, meta = space.prod, space.meta
    guard = _guard(space, expected)
    operations = [op for step in trim for op in _trim(step, prod, guard)]
    for step in steps:
        operations.append(_copy(step.delete, prod, guard, delete=True))
        operations.append(_copy(step.insert, prod, guard, delete=False))
    number = literal(str(int(record["number"])), datatype=XSD.integer)
    text = literal(json.dumps(record, sort_keys=True, separators=(",", ":")))
    operations.append(_version_resource(space, record, number, guard))
    operations.append(
        f"DELETE {{ GRAPH {iri(meta)} {{ {iri(prod)} ?mp ?mo }} }} "
        f"INSERT {{ GRAPH {iri(meta)} {{ {iri(prod)} {_VERSION} {number} ; {_RECORD} {text} }} }} "
        f"WHERE {{ {guard} OPTIONAL {{ GRAPH {iri(meta)} {{ {iri(prod)} ?mp ?mo }} }} }}"
    )
    return " ;\n".join(operations)


def _version_resource(space: RagSpace, record: dict[str, Any], number: str, guard: str) -> str:
    """The version's resource in ``meta``: an ``INSERT`` under the same guard."""
    a, version_class, number_property, generated = _VERSION_RESOURCE
    facts = [f"{a} {version_class}", f"{number_property} {number}"]
    if record.get("at"):
        facts.append(f"{generated} {literal(str(record['at']), datatype=XSD.dateTime)}")
    if record.get("override_reason"):
        facts.append(f"{iri(FERAG.overrideReason)} {literal(str(record['override_reason']))}")
    version = iri(space.iris.version(int(record["number"])))
    return (
        f"INSERT {{ GRAPH {iri(space.meta)} {{ {version} {' ; '.join(facts)} }} }} "
        f"WHERE {{ {guard} }}"
    )


def apply_steps(
    space: RagSpace,
    steps: Sequence[ChangeStep],
    *,
    expected: int,
    record: dict[str, Any],
    trim: Sequence[ChangeStep] = (),
) -> None:
    """Send ``build_update`` as one request. Whether it applied is read back from the marker:
    a request refused by the guard succeeds at the HTTP level and changes nothing."""
    space.update(build_update(space, steps, expected=expected, record=record, trim=trim))


def is_exact(space: RagSpace, step: ChangeStep) -> bool:
    """Whether production has none of ``step.insert`` and all of ``step.delete``, so that the
    step's inverse restores production exactly (merge computes change sets this way)."""
    prod = iri(space.prod)
    overlap = space.ask(
        f"ASK {{ GRAPH {iri(step.insert)} {{ ?s ?p ?o }} GRAPH {prod} {{ ?s ?p ?o }} }}"
    )
    missing = space.ask(
        f"ASK {{ GRAPH {iri(step.delete)} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH {prod} {{ ?s ?p ?o }} }} }}",
    )
    return not (overlap or missing)


def count_triples(space: RagSpace, graph: str) -> int:
    rows = space.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"]) if rows else 0


def entity_subjects(space: RagSpace, graphs: Iterable[str]) -> list[str]:
    """Subjects of triples in ``graphs`` that are ``ferag:Entity`` there or in production."""
    names = sorted(set(graphs))
    if not names:
        return []
    where = " ".join(iri(g) for g in names)
    typed = " ".join(iri(g) for g in [*names, space.prod])
    rows = space.select(
        f"SELECT ?s WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {where} }} "
        f"GRAPH ?g {{ ?s ?p ?o }} }} }} "
        f"FILTER EXISTS {{ VALUES ?h {{ {typed} }} GRAPH ?h {{ ?s a {_ENTITY} }} }} }}",
    )
    return sorted(row["s"]["value"] for row in rows)
