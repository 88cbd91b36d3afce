"""The chat entity index carries entity resolution's name keys (GIN-indexed), so the merge
step finds production candidates by key instead of scanning production.

Existing rows get their keys computed from their label and aliases.

Revision ID: e0a5b0000010
Revises: d9f4a0000009
Create Date: 2026-12-03 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from graphrag_lib.resolution.names import entity_keys

revision: str = "e0a5b0000010"
down_revision: str | None = "d9f4a0000009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "entity_index",
        sa.Column("match_keys", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT rag_id, entity_iri, label, aliases FROM entity_index")
    )
    for row in rows.all():
        keys = entity_keys(row.label, [a for a in row.aliases.split("\n") if a])
        connection.execute(
            sa.text(
                "UPDATE entity_index SET match_keys = :keys "
                "WHERE rag_id = :rag_id AND entity_iri = :iri"
            ),
            {"keys": keys, "rag_id": row.rag_id, "iri": row.entity_iri},
        )
    op.create_index(
        "ix_entity_index_match_keys",
        "entity_index",
        ["match_keys"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )


def downgrade() -> None:
    op.drop_index("ix_entity_index_match_keys", table_name="entity_index")
    op.drop_column("entity_index", "match_keys")
