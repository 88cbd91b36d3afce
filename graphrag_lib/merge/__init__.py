"""merge: the change set (``add`` and ``remove`` graphs) that merges a cycle's candidate graph
into production: ontology alignment, entity resolution, superseded descriptions, accumulated
provenance. See ``docs/merge.md``.

Reads production only through a ``ProductionView``; imports nothing from the service.
"""

from graphrag_lib.merge.compute import compute_change_set
from graphrag_lib.merge.config import (
    ChangeSet,
    ChangeSetStats,
    MergeConfig,
    ResolutionConfig,
    ResolutionDecision,
    apply_change_set,
)
from graphrag_lib.merge.view import GraphProductionView, ProductionView

__all__ = [
    "ChangeSet",
    "ChangeSetStats",
    "GraphProductionView",
    "MergeConfig",
    "ProductionView",
    "ResolutionConfig",
    "ResolutionDecision",
    "apply_change_set",
    "compute_change_set",
]
