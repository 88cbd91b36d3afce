"""Request and response models of the HTTP API (named by role: Create, Update, Public)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from ferag.db.models import CycleStatus, Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Password = Annotated[str, Field(min_length=8, max_length=128)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error rather than ignored."""

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
    email: EmailStr
    password: Password
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )


class LoginRequest(RequestModel):
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


class RagCreate(RequestModel):
    name: Name
    description: Annotated[str, Field(max_length=5000)] = ""


class RagUpdate(RequestModel):
    name: Name | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class RagPublic(PublicModel):
    id: int
    name: str
    description: str
    role: Role = Field(description="The caller's role on this RAG.")
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
    base_version: int = Field(description="Production version the change set is computed on.")
    task_id: uuid.UUID
    failed_step: str | None
    error: str | None
    steps: dict[str, Any] = Field(description="Per step: status, start and end times, counts.")
    stats: dict[str, Any]
    documents: int
    created_at: datetime
    updated_at: datetime


class CyclesPublic(BaseModel):
    data: list[CyclePublic]
    count: int


# --- operations ---------------------------------------------------------------------------------


class ComponentHealth(BaseModel):
    status: Literal["ok", "down"]
    latency_ms: float | None = None
    detail: str | None = None
    standin: bool | None = Field(None, description="LLM only: the offline rule-based stand-in.")


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentHealth]
