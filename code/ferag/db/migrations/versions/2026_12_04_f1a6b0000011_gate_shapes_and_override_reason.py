"""The consistency gate: a RAG's own SHACL shapes (Turtle) and the reason an owner gave for
approving a version despite gate violations.

Revision ID: f1a6b0000011
Revises: e0a5b0000010
Create Date: 2026-12-04 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a6b0000011"
down_revision: str | None = "e0a5b0000010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("rags", sa.Column("shapes", sa.Text(), nullable=True))
    op.add_column("rags", sa.Column("shapes_updated_at", sa.DateTime(timezone=True)))
    op.add_column("versions", sa.Column("override_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("versions", "override_reason")
    op.drop_column("rags", "shapes_updated_at")
    op.drop_column("rags", "shapes")
