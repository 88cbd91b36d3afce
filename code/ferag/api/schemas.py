"""Request and response models of the HTTP API (named by role: Create, Update, Public)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ferag.api.text import CleanText, SingleLine
from ferag.cycle.lifecycle import StepRecord
from ferag.db.models import Cycle, CycleKind, CycleStatus, Role, Version
from ferag.services.changes import ROLLBACK
from ferag.services.entity_index import EntityHit
from ferag.services.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from ferag.settings import RagLanguage

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


class RequestModel(CleanText):
    """Request bodies refuse unknown fields, so a typo is an error rather than ignored, and
    control characters in any text (``ferag.api.text``)."""

    model_config = ConfigDict(extra="forbid")


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- errors -------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What is wrong and how to fix it.")
    details: list[dict[str, Any]] = Field(default_factory=list)
    request_id: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


# --- accounts -----------------------------------------------------------------------------------


class UserCreate(RequestModel):
    raw_text_fields = frozenset({"password"})

    email: EmailStr
    password: Password
    full_name: FullName | None = None


class LoginRequest(RequestModel):
    raw_text_fields = frozenset({"password"})

    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=128)]


class UserPublic(PublicModel):
    id: int
    email: str
    full_name: str | None
    created_at: datetime


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")


# --- RAGs and members ---------------------------------------------------------------------------


EntityType = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\w[\w -]*$"),
]


class Chunking(RequestModel):
    """How documents are cut into text units, in tokens."""

    size: int = Field(ge=100, le=8000, description="Text unit size in tokens.")
    overlap: int = Field(ge=0, le=2000, description="Tokens shared by neighbouring units.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Self:
        if self.overlap >= self.size:
            raise ValueError(f"overlap ({self.overlap}) must be smaller than size ({self.size})")
        return self


class RagIndexing(RequestModel):
    """How a RAG's next cycles index its documents; null or absent: the deployment default."""

    language: RagLanguage | None = Field(
        None,
        description="The documents' main language, also of descriptions, community reports "
        "and ontology labels: `ru`, `en` or `auto` (detected from each cycle's documents).",
    )
    entity_types: Annotated[list[EntityType], Field(min_length=1, max_length=30)] | None = Field(
        None, description="Entity types the extraction asks for, e.g. `person`, `organization`."
    )
    chunking: Chunking | None = Field(None, description="Text unit size and overlap.")

    @field_validator("entity_types")
    @classmethod
    def _distinct_types(cls, types: list[str] | None) -> list[str] | None:
        folded = [t.casefold() for t in types or ()]
        if len(set(folded)) != len(folded):
            raise ValueError("entity types must be distinct (ignoring case)")
        return types

    def indexing_columns(self) -> dict[str, Any]:
        """The ``rags`` columns the request sets, by name; an explicit null resets one."""
        given = self.model_fields_set
        columns: dict[str, Any] = {
            name: getattr(self, name) for name in ("language", "entity_types") if name in given
        }
        if "chunking" in given:
            chunking = self.chunking
            columns["chunk_size"] = chunking.size if chunking else None
            columns["chunk_overlap"] = chunking.overlap if chunking else None
        return columns


class RagCreate(RagIndexing):
    name: Name
    description: Annotated[str, Field(max_length=5000)] = ""


class RagUpdate(RagIndexing):
    name: Name | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class RagPublic(PublicModel):
    id: int
    name: str
    description: str
    role: Role = Field(description="The caller's role on this RAG.")
    language: RagLanguage | None = Field(description="null: the deployment default.")
    entity_types: list[str] | None = Field(description="null: the deployment default.")
    chunking: Chunking | None = Field(description="null: the deployment default.")
    created_at: datetime
    updated_at: datetime


class RagsPublic(BaseModel):
    data: list[RagPublic]
    count: int


class MemberCreate(RequestModel):
    email: EmailStr
    role: Role


class MemberUpdate(RequestModel):
    role: Role


class MemberPublic(BaseModel):
    user_id: int
    email: str
    full_name: str | None
    role: Role
    created_at: datetime


class MembersPublic(BaseModel):
    data: list[MemberPublic]
    count: int


# --- update cycles ------------------------------------------------------------------------------


class UploadAccepted(BaseModel):
    cycle_id: int
    task_id: uuid.UUID = Field(description="Follow progress at /ws/tasks/{task_id}.")
    documents: int = Field(description="Documents read from the upload.")


class CyclePublic(BaseModel):
    id: int
    rag_id: int
    status: CycleStatus
    kind: CycleKind = Field(
        description="`upload`, or `production_merge`: an owner's merge of production entities "
        "(no documents; its change set is computed when proposed)."
    )
    base_version: int = Field(description="Production version the change set is computed on.")
    task_id: uuid.UUID
    failed_step: str | None
    error: str | None
    steps: dict[str, StepRecord] = Field(
        description="Per step: status, start and end times, counts, warnings for the reviewer "
        "and the error of a failed step."
    )
    stats: dict[str, Any]
    documents: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, cycle: Cycle, task_id: uuid.UUID, documents: int) -> CyclePublic:
        return cls(
            id=cycle.id,
            rag_id=cycle.rag_id,
            status=cycle.status,
            kind=cycle.kind,
            base_version=cycle.base_version,
            task_id=task_id,
            failed_step=cycle.failed_step,
            error=cycle.error,
            steps=cycle.steps,
            stats=cycle.stats,
            documents=documents,
            created_at=cycle.created_at,
            updated_at=cycle.updated_at,
        )


class CyclesPublic(BaseModel):
    data: list[CyclePublic]
    count: int


# --- production versions ------------------------------------------------------------------------


class VersionPublic(BaseModel):
    number: int
    kind: Literal["approval", "rollback"]
    cycle_id: int | None = Field(description="The approved cycle (approvals).")
    rollback_to: int | None = Field(description="The version restored (rollbacks).")
    created_by: int | None
    created_by_email: str | None
    created_at: datetime
    counts: dict[str, Any] = Field(description="Triples added and removed, merge counts.")
    override_reason: str | None = Field(
        None,
        description="Why the owner approved despite consistency-gate violations (null: none).",
    )

    @classmethod
    def of(cls, version: Version, email: str | None) -> VersionPublic:
        rollback_to = version.counts.get("rollback_to")
        return cls(
            number=version.number,
            kind="rollback" if version.kind == ROLLBACK else "approval",
            cycle_id=version.cycle_id,
            rollback_to=None if rollback_to is None else int(rollback_to),
            created_by=version.created_by,
            created_by_email=email,
            created_at=version.created_at,
            counts=version.counts,
            override_reason=version.override_reason,
        )


class ApprovalRequest(BaseModel):
    """An approval's options; the body may be left out."""

    override: bool = Field(
        False, description="Approve although the consistency gate found violations."
    )
    reason: str | None = Field(
        None, max_length=2000, description="Why (required with `override`; kept on the version)."
    )


class VersionsPublic(BaseModel):
    data: list[VersionPublic]
    count: int
    current: int = Field(description="The version production holds (0: nothing approved yet).")


# --- operations ---------------------------------------------------------------------------------


class ComponentHealth(BaseModel):
    status: Literal["ok", "down"]
    latency_ms: float | None = None
    detail: str | None = None
    standin: bool | None = Field(None, description="LLM only: the offline rule-based stand-in.")
    kind: str | None = Field(None, description="Store only: `oxigraph` or `fuseki`.")
    version: str | None = Field(None, description="Store only: the version the server reports.")


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentHealth]


class LivenessPublic(BaseModel):
    status: Literal["ok"]
    instance: str = Field(
        description="Id of this API instance (all its processes), new at each start: tells a "
        "supervisor it reached the instance it started, not an older one on the same port."
    )


class EntityFound(BaseModel):
    iri: str
    label: str
    aliases: list[str]
    description: str
    score: float = Field(description="How well the query names it (higher is better).")
    matched_by: str = Field(description="What matched: `label/exact`, `alias/spelling`, ….")

    @classmethod
    def of(cls, hit: EntityHit) -> EntityFound:
        entity = hit.entity
        return cls(iri=entity.iri, label=entity.label, aliases=list(entity.aliases),
                   description=entity.description, score=round(hit.score, 4),
                   matched_by=hit.matched_by)  # fmt: skip
