"""Remembered resolution decisions: a reviewer's ``same`` / ``different`` verdict on two entity
IRIs of a RAG, one row per unordered pair (a unique index on ``least(a, b), greatest(a, b)``),
read by every later merge of the RAG.

Revision ID: c8e3f0000008
Revises: b7d2e0000007
Create Date: 2026-12-03 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8e3f0000008"
down_revision: str | None = "b7d2e0000007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resolution_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rag_id", sa.Integer(), nullable=False),
        sa.Column("a", sa.Text(), nullable=False),
        sa.Column("b", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "verdict IN ('same', 'different')", name=op.f("ck_resolution_decisions_verdict")
        ),
        sa.CheckConstraint("a <> b", name=op.f("ck_resolution_decisions_distinct")),
        sa.ForeignKeyConstraint(
            ["rag_id"],
            ["rags.id"],
            name=op.f("fk_resolution_decisions_rag_id_rags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_resolution_decisions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_resolution_decisions_cycle_id_cycles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_decisions")),
    )
    op.create_index(
        "uq_resolution_decisions_pair",
        "resolution_decisions",
        ["rag_id", sa.text("least(a, b)"), sa.text("greatest(a, b)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_resolution_decisions_pair", table_name="resolution_decisions")
    op.drop_table("resolution_decisions")
