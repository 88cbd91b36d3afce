"""Typed SQLAlchemy 2 table models of the application database.

API schemas live in ``ferag.api.schemas``; these classes are never returned to clients directly.
Timestamps come from the database clock at insert time (``server_default=now()``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ferag.settings import RagLanguage

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONB, datetime: DateTime(timezone=True)}


def _created_at() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class Role(enum.StrEnum):
    owner = "owner"
    editor = "editor"
    viewer = "viewer"

    def allows(self, needed: Role) -> bool:
        """Whether this role includes the rights of ``needed`` (owner ⊃ editor ⊃ viewer)."""
        order = [Role.viewer, Role.editor, Role.owner]
        return order.index(self) >= order.index(needed)


class CycleStatus(enum.StrEnum):
    pending = "pending"
    running = "running"
    review = "review"
    approved = "approved"
    rejected = "rejected"
    failed = "failed"
    cancelled = "cancelled"
    stale = "stale"


class CycleKind(enum.StrEnum):
    """What opened a cycle: an upload (the whole pipeline runs) or an owner's merge of
    production entities (its change set is computed when it is proposed; no documents)."""

    upload = "upload"
    production_merge = "production_merge"


class TaskStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    progress = "progress"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(server_default="true")
    created_at: Mapped[datetime] = _created_at()

    memberships: Mapped[list[Member]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Rag(Base):
    __tablename__ = "rags"
    __table_args__ = (
        CheckConstraint("language IN ('ru', 'en', 'auto')", name="language"),
        CheckConstraint(
            "(chunk_size IS NULL) = (chunk_overlap IS NULL) AND chunk_overlap < chunk_size",
            name="chunking",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    # How the next cycle indexes (ferag.cycle.configs); NULL: the deployment default.
    language: Mapped[RagLanguage | None] = mapped_column(String(8))
    entity_types: Mapped[list[str] | None] = mapped_column(ARRAY(String(64)))
    chunk_size: Mapped[int | None]
    chunk_overlap: Mapped[int | None]
    # The owner's SHACL shapes (Turtle) the consistency gate checks besides the ontology's.
    shapes: Mapped[str | None] = mapped_column(Text)
    shapes_updated_at: Mapped[datetime | None]

    members: Mapped[list[Member]] = relationship(
        back_populates="rag", cascade="all, delete-orphan", passive_deletes=True
    )


class Member(Base):
    __tablename__ = "members"

    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "member_role"))
    created_at: Mapped[datetime] = _created_at()

    rag: Mapped[Rag] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


class Version(Base):
    """One state of a RAG's production graph, created by an approval or a rollback."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("rag_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # approval | rollback
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()
    counts: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    # Why an owner approved despite consistency-gate violations (NULL: no override).
    override_reason: Mapped[str | None] = mapped_column(Text)


class Cycle(Base):
    """One update cycle: an upload, its pipeline run and its change set."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), index=True)
    status: Mapped[CycleStatus] = mapped_column(
        _enum(CycleStatus, "cycle_status"), server_default=CycleStatus.pending.value
    )
    kind: Mapped[CycleKind] = mapped_column(
        _enum(CycleKind, "cycle_kind"), server_default=CycleKind.upload.value
    )
    base_version: Mapped[int] = mapped_column(Integer, server_default="0")
    failed_step: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    stats: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    # step -> {"status", "started_at", "finished_at", "stats"}; a done step is skipped on re-run
    steps: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    celery_task_id: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_active(self) -> bool:
        return self.status in (CycleStatus.pending, CycleStatus.running)


class ResolutionDecisionRow(Base):
    """A reviewer's verdict on two entity IRIs of a RAG (``graphrag_lib.merge.ResolutionDecision``),
    remembered for every later merge of the RAG; one per unordered pair (a later decision on the
    same pair replaces the earlier). For ``same``, ``a`` is the entity that survives."""

    __tablename__ = "resolution_decisions"
    __table_args__ = (
        CheckConstraint("verdict IN ('same', 'different')", name="verdict"),
        CheckConstraint("a <> b", name="distinct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"))
    a: Mapped[str] = mapped_column(Text)
    b: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, server_default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()


# One row per RAG and unordered pair: the upsert of a decision infers this index.
DECISION_PAIR = (
    ResolutionDecisionRow.rag_id,
    func.least(ResolutionDecisionRow.a, ResolutionDecisionRow.b),
    func.greatest(ResolutionDecisionRow.a, ResolutionDecisionRow.b),
)
Index("uq_resolution_decisions_pair", *DECISION_PAIR, unique=True)


class Task(Base):
    """A background job whose progress clients follow (usually a cycle's pipeline)."""

    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus, "task_status"), server_default=TaskStatus.queued.value
    )
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class TaskEvent(Base):
    """A persisted progress event; ``seq`` orders the events of one task."""

    __tablename__ = "task_events"
    __table_args__ = (UniqueConstraint("task_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    ts: Mapped[datetime] = _created_at()
    step: Mapped[str] = mapped_column(String(40))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "task_status"))
    progress: Mapped[float | None]
    message: Mapped[str] = mapped_column(Text, server_default="")
    data: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)


class ChatSession(Base):
    __tablename__ = "chat_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = _created_at()


class ChatMessage(Base):
    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    created_at: Mapped[datetime] = _created_at()


class Document(Base):
    """An uploaded original and its extracted text, kept in the database so that a worker on
    another host can process it."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("cycle_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(String(512))
    format: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    document_date: Mapped[date | None]
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    original: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()


class CycleArtifact(Base):
    """An intermediate result of a step (e.g. GraphRAG's tables), for the next step to read."""

    __tablename__ = "cycle_artifacts"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _created_at()


class ApiKey(Base):
    """A per-user key for the OpenAI-compatible API; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # the key's first characters, to recognise it
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created_at()
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


def _weighted_tsvector(config: str) -> Computed:
    """Label (weight A), aliases (B) and description (D) under one text search config."""
    parts = (("label", "A"), ("aliases", "B"), ("description", "D"))
    sql = " || ".join(f"setweight(to_tsvector('{config}', {col}), '{w}')" for col, w in parts)
    return Computed(sql, persisted=True)


_NO_PENDING = {"fastupdate": "off"}


class EntityIndexEntry(Base):
    """An entity of a RAG's production graph, indexed for chat entity linking (PostgreSQL
    full-text search); kept in step with production by ``ferag.services.entity_index``."""

    __tablename__ = "entity_index"
    # GIN without a pending list (fastupdate off): rows are written at approvals, read on
    # every question, and a pending list made linking 2-3 times slower until vacuumed.
    __table_args__ = tuple(
        Index(f"ix_entity_index_{col}", col, postgresql_using="gin", postgresql_with=_NO_PENDING)
        for col in ("ts_english", "ts_russian", "ts_names", "match_keys")
    )

    rag_id: Mapped[int] = mapped_column(ForeignKey("rags.id", ondelete="CASCADE"), primary_key=True)
    entity_iri: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    aliases: Mapped[str] = mapped_column(Text, server_default="")  # one per line
    description: Mapped[str] = mapped_column(Text, server_default="")
    names: Mapped[str] = mapped_column(Text, server_default="")  # spellings and sound keys
    # entity resolution's name keys (graphrag_lib.resolution.names) of the label and aliases
    match_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    ts_english: Mapped[str | None] = mapped_column(
        TSVECTOR, _weighted_tsvector("english"), deferred=True
    )
    ts_russian: Mapped[str | None] = mapped_column(
        TSVECTOR, _weighted_tsvector("russian"), deferred=True
    )
    ts_names: Mapped[str | None] = mapped_column(
        TSVECTOR, Computed("to_tsvector('simple', names)", persisted=True), deferred=True
    )
