"""An owner's merge of entities already in production, proposed as a cycle of its own.

The cycle (kind ``production_merge``) has no documents and never reaches the workers: its
change set is computed when it is proposed (``graphrag_lib.merge.production_merge``), written to
the cycle's ``add`` and ``remove`` graphs, and the cycle waits for review, its ``merge`` and
``staging`` steps recorded done through ``ferag.cycle.lifecycle``. From there it is an ordinary
change set: the diff shows it (with its ``ferag:Merge`` record), approval applies it as a
version, rejection discards it, a newer approval makes it stale, rollback undoes it. A stale
one is recomputed on current production by ``restage`` (what ``rebase`` does for it), from the
request kept in ``cycle.stats["production_merge"]``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from rdflib import Graph, URIRef
from sqlalchemy.orm import Session

from ferag.cycle import lifecycle
from ferag.db.models import Cycle, CycleKind, Rag, Task, TaskStatus, User
from ferag.errors import Conflict, InvalidInput
from ferag.events import history
from ferag.events.history import EventDraft
from ferag.events.schemas import TaskEventPublic
from ferag.services import diff
from ferag.services.changes import lock_production
from ferag.services.cycles import PIPELINE, TASK_KIND, cycle_task
from ferag.store.client import store_errors
from ferag.store.production import SparqlProductionView
from ferag.store.space import RagSpace
from graphrag_lib.merge import ChangeSet
from graphrag_lib.merge.production_merge import (
    ProductionMerge,
    ProductionMergeError,
    merge_production_entities,
)
from graphrag_lib.pipeline import steps_from

logger = logging.getLogger(__name__)

REQUEST = "production_merge"  # the key of the request in ``cycle.stats``
STAGED_STEPS = steps_from("merge")


def _change_set(space: RagSpace, merge: ProductionMerge) -> ChangeSet:
    with store_errors("read the entities to merge"):
        return merge_production_entities(SparqlProductionView(space), space.iris, merge)


def _write(space: RagSpace, cycle_id: int, change_set: ChangeSet) -> None:
    graphs: dict[str, Graph] = {"add": change_set.add, "remove": change_set.remove}
    with store_errors("stage the merge's change set"):
        for name, graph in graphs.items():
            payload = graph.serialize(format="nt", encoding="utf-8")
            space.put_graph(space.cycle_graph(cycle_id, name), payload)


def _stage(space: RagSpace, cycle: Cycle, change_set: ChangeSet) -> None:
    """Record ``merge`` and ``staging`` done: the cycle waits for review."""
    add, remove = len(change_set.add), len(change_set.remove)
    counts = diff.change_set_counts(space, cycle.id)
    outcomes: dict[str, dict[str, Any]] = {
        "merge": {"add": add, "remove": remove, **asdict(change_set.stats)},
        "staging": {"staged_add": add, "staged_remove": remove, diff.COUNTS: counts},
    }
    for step in STAGED_STEPS:
        lifecycle.claim_step(cycle, step, None)
        lifecycle.finish_step(cycle, step, outcomes[step], (), last=step == STAGED_STEPS[-1])


def _request(merge: ProductionMerge) -> dict[str, Any]:
    absorbed = [str(a) for a in merge.absorbed]
    return {"survivor": str(merge.survivor), "absorbed": absorbed, "reason": merge.reason}


def _ready(db: Session, task: Task, cycle: Cycle, message: str) -> TaskEventPublic:
    draft = EventDraft(PIPELINE, TaskStatus.done, progress=1.0, message=message,
                       data={"production_merge": cycle.stats[REQUEST]})  # fmt: skip
    return history.append_event(db, task.id, draft)


def propose_merge(
    db: Session, space: RagSpace, rag: Rag, user: User, merge: ProductionMerge
) -> tuple[Cycle, TaskEventPublic]:
    """Open a ``production_merge`` cycle in review with the change set of ``merge``, computed
    on current production; ``InvalidInput`` (``invalid_merge``) when it cannot be made."""
    current = lock_production(db, space)
    try:
        change_set = _change_set(space, merge)
    except ProductionMergeError as exc:
        message = f"{exc}; name distinct entities of this RAG's production"
        raise InvalidInput(message, code="invalid_merge") from exc
    cycle = Cycle(rag_id=rag.id, created_by=user.id, base_version=current,
                  kind=CycleKind.production_merge, stats={REQUEST: _request(merge)})  # fmt: skip
    db.add(cycle)
    db.flush()
    task = history.create_task(db, rag.id, TASK_KIND, cycle_id=cycle.id)
    _write(space, cycle.id, change_set)
    _stage(space, cycle, change_set)
    count = len(merge.absorbed)
    event = _ready(db, task, cycle, f"cycle {cycle.id} merges {count + 1} entities; review it")
    db.commit()
    logger.info("rag %s: cycle %s proposes merging %s into %s", rag.id, cycle.id,
                [str(a) for a in merge.absorbed], merge.survivor)  # fmt: skip
    return cycle, event


def restage(db: Session, space: RagSpace, cycle: Cycle, current: int) -> TaskEventPublic:
    """Recompute a (stale) production-merge cycle on production version ``current``; the
    caller holds the production lock and the cycle's row, and commits."""
    request = cycle.stats[REQUEST]
    merge = ProductionMerge(
        URIRef(request["survivor"]),
        tuple(URIRef(a) for a in request["absorbed"]),
        request.get("reason", ""),
    )
    try:
        change_set = _change_set(space, merge)
    except ProductionMergeError as exc:
        raise Conflict(
            f"cycle {cycle.id}'s merge no longer fits production ({exc}): reject it and "
            "propose the merge again",
            code="merge_outdated",
        ) from exc
    lifecycle.rebase(cycle, current, STAGED_STEPS)
    _write(space, cycle.id, change_set)
    _stage(space, cycle, change_set)
    message = f"cycle {cycle.id}: merge recomputed on production version {current}; review it"
    return _ready(db, cycle_task(db, cycle), cycle, message)
