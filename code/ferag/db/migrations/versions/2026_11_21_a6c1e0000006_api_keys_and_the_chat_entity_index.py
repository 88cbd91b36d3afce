"""API keys (hashed) and the chat entity index (full-text search, GIN indexes).

``entity_index`` keeps one row per entity of a RAG's production graph; its ``tsvector``
columns are generated from label, aliases and description ('english' and 'russian' configs,
label weighted A, aliases B, description D) and from the transliterated name spellings
('simple'), so writers only set the text columns.

Revision ID: a6c1e0000006
Revises: cba106e2928f
Create Date: 2026-11-21 06:59:30.093083
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a6c1e0000006"
# Chained after the approval migration a5c1e0000005 once it exists (see docs/chat.md).
down_revision: str | None = "cba106e2928f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# GIN indexes without a pending list: written at approvals, read on every chat question.
NO_PENDING_LIST = {"fastupdate": "off"}


def _weighted(config: str) -> str:
    """The generated ``tsvector`` of one config (as ``models._weighted_tsvector``)."""
    parts = (("label", "A"), ("aliases", "B"), ("description", "D"))
    return " || ".join(f"setweight(to_tsvector('{config}', {col}), '{w}')" for col, w in parts)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)
    op.create_table(
        "entity_index",
        sa.Column("rag_id", sa.Integer(), nullable=False),
        sa.Column("entity_iri", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("names", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "ts_english",
            postgresql.TSVECTOR(),
            sa.Computed(_weighted("english"), persisted=True),
            nullable=True,
        ),
        sa.Column(
            "ts_russian",
            postgresql.TSVECTOR(),
            sa.Computed(_weighted("russian"), persisted=True),
            nullable=True,
        ),
        sa.Column(
            "ts_names",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('simple', names)", persisted=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["rag_id"], ["rags.id"], name=op.f("fk_entity_index_rag_id_rags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rag_id", "entity_iri", name=op.f("pk_entity_index")),
    )
    op.create_index(
        "ix_entity_index_ts_english",
        "entity_index",
        ["ts_english"],
        unique=False,
        postgresql_using="gin",
        postgresql_with=NO_PENDING_LIST,
    )
    op.create_index(
        "ix_entity_index_ts_names",
        "entity_index",
        ["ts_names"],
        unique=False,
        postgresql_using="gin",
        postgresql_with=NO_PENDING_LIST,
    )
    op.create_index(
        "ix_entity_index_ts_russian",
        "entity_index",
        ["ts_russian"],
        unique=False,
        postgresql_using="gin",
        postgresql_with=NO_PENDING_LIST,
    )


def downgrade() -> None:
    op.drop_index("ix_entity_index_ts_russian", table_name="entity_index", postgresql_using="gin")
    op.drop_index("ix_entity_index_ts_names", table_name="entity_index", postgresql_using="gin")
    op.drop_index("ix_entity_index_ts_english", table_name="entity_index", postgresql_using="gin")
    op.drop_table("entity_index")
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
