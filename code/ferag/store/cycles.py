"""A cycle's graphs in the store: dropping them when the cycle's change set is discarded."""

from __future__ import annotations

from ferag.store.space import RagSpace
from graphrag_lib.sparql_terms import iri


def drop_cycle_graphs(space: RagSpace, cycle_id: int) -> None:
    """Drop every graph of cycle ``cycle_id`` (those that exist) in one request."""
    drops = [f"DROP SILENT GRAPH {iri(graph)}" for graph in space.cycle_graphs(cycle_id)]
    space.update(" ;\n".join(drops))
