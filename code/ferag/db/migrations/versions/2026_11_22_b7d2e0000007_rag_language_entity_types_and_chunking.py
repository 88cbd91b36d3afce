"""A RAG's language, entity types and chunking (NULL: the deployment default).

``language`` is ``ru``, ``en`` or ``auto``; ``chunk_size`` and ``chunk_overlap`` are set
together, the overlap below the size (checked by the database as well as the API).

Revision ID: b7d2e0000007
Revises: a6c1e0000006
Create Date: 2026-11-22 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7d2e0000007"
down_revision: str | None = "a6c1e0000006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("rags", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column(
        "rags", sa.Column("entity_types", postgresql.ARRAY(sa.String(length=64)), nullable=True)
    )
    op.add_column("rags", sa.Column("chunk_size", sa.Integer(), nullable=True))
    op.add_column("rags", sa.Column("chunk_overlap", sa.Integer(), nullable=True))
    op.create_check_constraint(op.f("ck_rags_language"), "rags", "language IN ('ru', 'en', 'auto')")
    op.create_check_constraint(
        op.f("ck_rags_chunking"),
        "rags",
        "(chunk_size IS NULL) = (chunk_overlap IS NULL) AND chunk_overlap < chunk_size",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_rags_chunking"), "rags", type_="check")
    op.drop_constraint(op.f("ck_rags_language"), "rags", type_="check")
    op.drop_column("rags", "chunk_overlap")
    op.drop_column("rags", "chunk_size")
    op.drop_column("rags", "entity_types")
    op.drop_column("rags", "language")
