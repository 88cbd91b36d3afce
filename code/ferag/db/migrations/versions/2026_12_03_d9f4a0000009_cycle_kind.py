"""A cycle's kind: ``upload`` (every cycle so far) or ``production_merge`` (an owner's merge of
production entities, proposed with its change set and no documents).

Revision ID: d9f4a0000009
Revises: c8e3f0000008
Create Date: 2026-12-03 23:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9f4a0000009"
down_revision: str | None = "c8e3f0000008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CYCLE_KIND = sa.Enum("upload", "production_merge", name="cycle_kind")


def upgrade() -> None:
    CYCLE_KIND.create(op.get_bind())
    op.add_column("cycles", sa.Column("kind", CYCLE_KIND, server_default="upload", nullable=False))


def downgrade() -> None:
    op.drop_column("cycles", "kind")
    CYCLE_KIND.drop(op.get_bind())
