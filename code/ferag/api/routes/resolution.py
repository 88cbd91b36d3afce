"""Entity resolution under review: a reviewer's split and merge decisions on a cycle, the RAG's
remembered decisions, and an owner's merge of production entities (a reviewed change set)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from rdflib import URIRef

from ferag.api.deps import (
    CeleryDep,
    DbDep,
    RagEditor,
    RagOwner,
    RagViewer,
    RedisDep,
    SettingsDep,
    StoreDep,
    cycle_public,
    rag_iris,
)
from ferag.api.openapi import raises
from ferag.api.params import MAX_ID, CycleId, Offset
from ferag.api.resolution_schemas import (
    DecisionAccepted,
    DecisionCreate,
    DecisionPublic,
    DecisionsPublic,
    MergeCreate,
)
from ferag.api.schemas import CyclePublic
from ferag.events.publisher import announce
from ferag.services import decisions, production_merges
from ferag.store.space import RagSpace
from graphrag_lib.merge.production_merge import ProductionMerge

router = APIRouter(prefix="/rags/{rag_id}", tags=["resolution"])

DecisionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Decision id")]


@router.post("/cycles/{cycle_id}/decisions", status_code=status.HTTP_202_ACCEPTED)
@raises(404, 409)
def decide_resolution(
    cycle_id: CycleId,
    body: DecisionCreate,
    access: RagEditor,
    db: DbDep,
    store: StoreDep,
    celery: CeleryDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> DecisionAccepted:
    """Split a merge the cycle proposes, or merge two entities it kept apart. The decision is
    remembered for the RAG (every later cycle honours it) and the cycle's merge runs again:
    follow its task, then read the new diff. 409 unless the cycle is in review or stale."""
    space = RagSpace(store, access.rag.id, rag_iris(settings, access.rag.id))
    decision = (body.action, body.a, body.b, body.reason)
    row, event = decisions.decide(db, celery, space, cycle_id, access.user.id, decision)
    announce(redis, event)
    cycle = cycle_public(db, access.rag.id, cycle_id)
    return DecisionAccepted(
        decision=DecisionPublic.model_validate(row), task_id=cycle.task_id, cycle=cycle
    )


@router.get("/decisions")
def list_decisions(
    access: RagViewer,
    db: DbDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DecisionsPublic:
    """The RAG's remembered resolution decisions, newest first."""
    rows, total = decisions.list_decisions(db, access.rag.id, offset, limit)
    return DecisionsPublic(data=[DecisionPublic.model_validate(r) for r in rows], count=total)


@router.delete("/decisions/{decision_id}", status_code=status.HTTP_204_NO_CONTENT)
@raises(404)
def forget_decision(decision_id: DecisionId, access: RagOwner, db: DbDep) -> None:
    """Forget a decision: later merges decide that pair by their rules again."""
    decisions.forget_decision(db, access.rag.id, decision_id)


@router.post("/merges", status_code=status.HTTP_201_CREATED)
@raises(409)
def propose_merge(
    body: MergeCreate,
    access: RagOwner,
    db: DbDep,
    store: StoreDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> CyclePublic:
    """Propose merging production entities into `survivor`: a cycle (kind `production_merge`)
    waits for review with the change set; approve it like any cycle, roll it back like any
    version. 422 `invalid_merge` when an IRI is not an entity of production."""
    space = RagSpace(store, access.rag.id, rag_iris(settings, access.rag.id))
    merge = ProductionMerge(
        URIRef(body.survivor), tuple(URIRef(a) for a in body.absorbed), body.reason
    )
    cycle, event = production_merges.propose_merge(db, space, access.rag, access.user, merge)
    announce(redis, event)
    return cycle_public(db, access.rag.id, cycle.id)
