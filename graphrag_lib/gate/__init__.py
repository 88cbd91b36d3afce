"""The consistency gate (the ``staging`` step): SHACL over a cycle's change set.

Shapes come from the ontology (``shapes.shapes_from_ontology``: domains, ranges, functional and
inverse-functional properties, the datatypes of valid times) plus the Turtle shapes an owner
adds per RAG (``shapes.parse_shapes`` checks them). ``check.check_change_set`` runs pySHACL over
the change set applied to the current view of the resources it touches, read through a
``ResourceReader`` (never all of production), and reports ``Violation``s with the offending
statements and their passages; ``report`` stores them as a graph of ``ferag:Violation``s and
reads them back. See ``docs/gate.md``. Imports nothing from the service.
"""

from graphrag_lib.gate.check import GateReport, check_change_set
from graphrag_lib.gate.config import GateConfig
from graphrag_lib.gate.report import (
    OffendingStatement,
    Passage,
    Violation,
    read_violations,
    violations_graph,
)
from graphrag_lib.gate.shapes import InvalidShapes, parse_shapes, shapes_from_ontology

__all__ = [
    "GateConfig",
    "GateReport",
    "InvalidShapes",
    "OffendingStatement",
    "Passage",
    "Violation",
    "check_change_set",
    "parse_shapes",
    "read_violations",
    "shapes_from_ontology",
    "violations_graph",
]
