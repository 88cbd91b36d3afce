"""Documents (originals + text), cycle artifacts, and per-step state of a cycle.

Revision ID: cba106e2928f
Revises: f2b1f8578903
Create Date: 2026-11-21 06:21:57.608328
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "cba106e2928f"
down_revision: str | None = "f2b1f8578903"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_cycle_artifacts_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_artifacts")),
        sa.UniqueConstraint("cycle_id", "name", name=op.f("uq_cycle_artifacts_cycle_id")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rag_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_documents_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rag_id"], ["rags.id"], name=op.f("fk_documents_rag_id_rags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("cycle_id", "path", name=op.f("uq_documents_cycle_id")),
    )
    op.create_index(op.f("ix_documents_cycle_id"), "documents", ["cycle_id"], unique=False)
    op.create_index(op.f("ix_documents_rag_id"), "documents", ["rag_id"], unique=False)
    op.add_column(
        "cycles",
        sa.Column(
            "steps", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
    )
    op.add_column("cycles", sa.Column("celery_task_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("cycles", "celery_task_id")
    op.drop_column("cycles", "steps")
    op.drop_index(op.f("ix_documents_rag_id"), table_name="documents")
    op.drop_index(op.f("ix_documents_cycle_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_table("cycle_artifacts")
