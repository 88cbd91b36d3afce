"""Gate violations: what a reviewer sees, and their graph of ``ferag:Violation`` resources.

Each violation is a blank node typed ``ferag:Violation`` (and ``sh:ValidationResult``) with the
SHACL result's ``sh:focusNode``, ``sh:resultPath``, ``sh:value``, ``sh:resultMessage``,
``sh:resultSeverity`` and ``sh:sourceShape``, its position (``ferag:order``) and, as
``ferag:evidence`` (``rdf:JSON``), the whole record including the offending statements and their
passages, so the diff reads one small graph and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from graphrag_lib.vocab import FERAG


@dataclass(frozen=True)
class Passage:
    iri: str
    text: str  # the start of the passage (``GateConfig.snippet_chars``)


@dataclass(frozen=True)
class OffendingStatement:
    """A current statement behind the violating direct triple."""

    iri: str
    subject: str
    predicate: str
    object: str
    subject_label: str | None = None
    object_label: str | None = None
    description: str | None = None
    is_new: bool = False  # added by this cycle (else already in production)
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None  # an IRI, or ``^IRI`` for an inverse path
    value: str | None
    message: str
    severity: str  # Violation, Warning or Info
    shape: str
    focus_label: str | None = None
    statements: tuple[OffendingStatement, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Violation:
        statements = tuple(
            OffendingStatement(
                **{**s, "passages": tuple(Passage(**p) for p in s.get("passages", ()))}
            )
            for s in data.get("statements", ())
        )
        return cls(**{**data, "statements": statements})


def violations_graph(violations: list[Violation]) -> Graph:
    graph = Graph()
    for order, violation in enumerate(violations):
        node = BNode()
        graph.add((node, RDF.type, FERAG.Violation))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, FERAG.order, Literal(order)))
        graph.add((node, SH.focusNode, URIRef(violation.focus)))
        if violation.path and not violation.path.startswith("^"):
            graph.add((node, SH.resultPath, URIRef(violation.path)))
        if violation.value is not None:
            graph.add((node, SH.value, Literal(violation.value)))
        graph.add((node, SH.resultMessage, Literal(violation.message)))
        graph.add((node, SH.resultSeverity, SH[violation.severity]))
        graph.add((node, SH.sourceShape, URIRef(violation.shape)))
        evidence = json.dumps(violation.to_json(), ensure_ascii=False, sort_keys=True)
        graph.add((node, FERAG.evidence, Literal(evidence, datatype=RDF.JSON)))
    return graph


def read_violations(graph: Graph) -> list[Violation]:
    """The violations of a graph ``violations_graph`` wrote, in their order."""
    found = []
    for node in graph.subjects(RDF.type, FERAG.Violation):
        order = graph.value(node, FERAG.order)
        evidence = graph.value(node, FERAG.evidence)
        if evidence is not None:
            found.append((int(str(order or 0)), Violation.from_json(json.loads(str(evidence)))))
    return [violation for _, violation in sorted(found, key=lambda item: item[0])]
