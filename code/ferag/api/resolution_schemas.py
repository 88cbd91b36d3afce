"""Request and response models of resolution decisions and owners' merges (named by role)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ferag.api.schemas import CyclePublic, RequestModel
from ferag.api.text import SingleLine

EntityIri = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    SingleLine,
    Field(description="An entity IRI of this RAG (`…/rag/{id}/entity/{key}`)."),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=1000),
    SingleLine,
    Field(description="One line a later reviewer reads."),
]
MAX_ABSORBED = 50


class DecisionCreate(RequestModel):
    action: Literal["split", "merge"] = Field(
        description="`split`: keep `a` and `b` apart, now and in every later cycle; `merge`: "
        "they are one entity (`a` survives when both are in production)."
    )
    a: EntityIri
    b: EntityIri
    reason: Reason = ""


class DecisionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    a: str
    b: str
    verdict: Literal["same", "different"]
    reason: str
    user_id: int | None = Field(description="Who decided.")
    cycle_id: int | None = Field(description="The cycle under review when it was decided.")
    created_at: datetime


class DecisionsPublic(BaseModel):
    data: list[DecisionPublic]
    count: int


class DecisionAccepted(BaseModel):
    decision: DecisionPublic
    task_id: uuid.UUID = Field(description="The cycle's task: follow the merge running again.")
    cycle: CyclePublic


class MergeCreate(RequestModel):
    survivor: EntityIri
    absorbed: list[EntityIri] = Field(
        min_length=1,
        max_length=MAX_ABSORBED,
        description="Production entities whose names and relations move to the survivor.",
    )
    reason: Reason = ""
