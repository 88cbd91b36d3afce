"""Checking a change set with pySHACL against the current view of the resources it touches.

The data graph is the change set applied to what production says about the resources it
touches (``describe`` and ``referencing`` of its subjects and objects), plus the merged ontology
(production's and the cycle's) so ``sh:class`` follows ``rdfs:subClassOf``. Results about
resources the change set does not touch are dropped: the gate judges this change, and its cost
follows the change set, not production's size. Each violation then gets the current statements
behind it and their passages, read on demand for the few resources involved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH
from rdflib.term import Node

from graphrag_lib.gate.config import GateConfig
from graphrag_lib.gate.report import OffendingStatement, Passage, Violation
from graphrag_lib.gate.shapes import parse_shapes, shape_kind, shapes_from_ontology
from graphrag_lib.merge.view import ResourceReader
from graphrag_lib.schema.terms import ontology_part
from graphrag_lib.vocab import FERAG

logger = logging.getLogger(__name__)

_NOT_RESOURCES = (RDF.type, RDF.predicate)  # their objects are terms, not resources


@dataclass(frozen=True)
class GateReport:
    violations: tuple[Violation, ...]  # the first ``GateConfig.max_violations``
    blocking: int  # results of severity sh:Violation (approval needs an override)
    total: int  # all results, warnings and infos included
    focus_nodes: int  # resources the change set touches
    data_triples: int  # size of the data graph checked
    seconds: float


def touched_resources(add: Graph, remove: Graph) -> set[URIRef]:
    """Subjects and resource objects of the change set's triples."""
    touched: set[URIRef] = set()
    for graph in (add, remove):
        for s, p, o in graph:
            if isinstance(s, URIRef):
                touched.add(s)
            if isinstance(o, URIRef) and p not in _NOT_RESOURCES:
                touched.add(o)
    return touched


def _owner_shapes(config: GateConfig) -> Graph:
    return parse_shapes(config.owner_shapes) if config.owner_shapes.strip() else Graph()


def check_change_set(
    add: Graph, remove: Graph, reader: ResourceReader, config: GateConfig | None = None
) -> GateReport:
    """Validate ``add``/``remove`` applied to production (read through ``reader``)."""
    from pyshacl import validate  # heavy: imported by the step that runs it

    config = config or GateConfig()
    started = time.perf_counter()
    touched = touched_resources(add, remove)
    if not touched:
        return GateReport((), 0, 0, 0, 0, 0.0)
    ontology = reader.ontology() + ontology_part(add)
    current = (reader.describe(touched) + reader.referencing(touched)) - remove + add
    shapes = shapes_from_ontology(ontology) + _owner_shapes(config)
    _, results, _ = validate(current + ontology, shacl_graph=shapes, allow_infos=True)
    assert isinstance(results, Graph)
    views = _Views(current, add, reader, config)
    found = _violations(results, shapes, touched, views)
    found.sort(key=lambda v: (v.severity != "Violation", v.shape, v.focus, v.value or ""))
    blocking = sum(1 for v in found if v.severity == "Violation")
    seconds = time.perf_counter() - started
    logger.info("gate: %s results (%s blocking) in %.2f s", len(found), blocking, seconds)
    kept = tuple(found[: config.max_violations])
    return GateReport(kept, blocking, len(found), len(touched), len(current), seconds)


def _path_text(results: Graph, path: Node | None) -> str | None:
    if isinstance(path, URIRef):
        return str(path)
    inverse = results.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return f"^{inverse}" if isinstance(inverse, URIRef) else None


def _node_shape(shapes: Graph, shape: Node | None) -> Node | None:
    """The node shape a property shape belongs to (itself if it is a node shape)."""
    return next(iter(shapes.subjects(SH.property, shape)), shape)


def _violations(
    results: Graph, shapes: Graph, touched: Collection[URIRef], views: _Views
) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        if not isinstance(focus, URIRef) or focus not in touched:
            continue
        shape = _node_shape(shapes, results.value(result, SH.sourceShape))
        path = _path_text(results, results.value(result, SH.resultPath))
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        found.append(
            Violation(
                focus=str(focus),
                path=path,
                value=None if value is None else str(value),
                message=str(message) if message is not None else "the shape is not satisfied",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=str(shape) if isinstance(shape, URIRef) else "owner shape",
                focus_label=views.label(focus),
                statements=views.statements(focus, shape, path),
            )
        )
    return found


class _Views:
    """Statements, labels and passages around a violation: from the checked graph, else read
    from production for just these resources."""

    def __init__(
        self, current: Graph, add: Graph, reader: ResourceReader, config: GateConfig
    ) -> None:
        self.current, self.add, self.reader, self.config = current, add, reader, config
        self.read: set[Node] = set()

    def _about(self, node: Node) -> Graph:
        if (
            isinstance(node, URIRef)
            and node not in self.read
            and (node, None, None) not in self.add
        ):
            self.read.add(node)
            self.current += self.reader.describe([node])
        return self.current

    def label(self, node: Node) -> str | None:
        label = self._about(node).value(node, RDFS.label)
        return None if label is None else str(label)

    def statements(
        self, focus: URIRef, shape: Node | None, path: str | None
    ) -> tuple[OffendingStatement, ...]:
        kind = shape_kind(shape) if isinstance(shape, URIRef) else None
        if kind is not None and kind[0] == "datatype":
            return (self.statement(focus),)
        if kind is not None:
            end = RDF.object if kind[0] in ("inverse-functional", "range") else RDF.subject
            predicate: URIRef = kind[1]
        elif path:
            end = RDF.object if path.startswith("^") else RDF.subject
            predicate = URIRef(path.lstrip("^"))
        else:
            return ()
        nodes = [
            node
            for node in self.current.subjects(end, focus)
            if isinstance(node, URIRef)
            if (node, RDF.predicate, predicate) in self._about(node)
            and (node, FERAG.invalidatedIn, None) not in self.current
        ]
        return tuple(self.statement(n) for n in sorted(nodes)[: self.config.max_statements])

    def statement(self, node: Node) -> OffendingStatement:
        graph = self._about(node)
        subject, obj = graph.value(node, RDF.subject), graph.value(node, RDF.object)
        description = graph.value(node, DCTERMS.description)
        passages = sorted(str(p) for p in graph.objects(node, PROV.wasDerivedFrom))
        return OffendingStatement(
            iri=str(node),
            subject=str(subject),
            predicate=str(graph.value(node, RDF.predicate)),
            object=str(obj),
            subject_label=self.label(subject) if subject is not None else None,
            object_label=self.label(obj) if obj is not None else None,
            description=None if description is None else str(description),
            is_new=(node, RDF.type, FERAG.Relation) in self.add,
            passages=tuple(self.passage(URIRef(p)) for p in passages[:3]),
        )

    def passage(self, node: Node) -> Passage:
        text = self._about(node).value(node, FERAG.text)
        return Passage(str(node), str(text or "")[: self.config.snippet_chars])
