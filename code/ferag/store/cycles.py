"""A cycle's graphs in the store: dropping them when the cycle's change set is discarded, and
reading the consistency gate's violations."""

from __future__ import annotations

from rdflib import Graph

from ferag.store.space import RagSpace
from graphrag_lib.gate import Violation, read_violations
from graphrag_lib.sparql_terms import iri


def drop_cycle_graphs(space: RagSpace, cycle_id: int) -> None:
    """Drop every graph of cycle ``cycle_id`` (those that exist) in one request."""
    drops = [f"DROP SILENT GRAPH {iri(graph)}" for graph in space.cycle_graphs(cycle_id)]
    space.update(" ;\n".join(drops))


def cycle_violations(space: RagSpace, cycle_id: int) -> list[Violation]:
    """The violations the cycle's staging step stored (graph ``violations``; none if absent)."""
    data = space.get_graph(space.cycle_graph(cycle_id, "violations"))
    return read_violations(Graph().parse(data=data.decode(), format="nt"))
