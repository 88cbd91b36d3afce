"""Migrations run up from an empty database, down to nothing, and up again; the models match."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ferag.db import migrate
from ferag.db.models import Base
from ferag.stack import servers

EXPECTED_TABLES = {
    "users",
    "rags",
    "members",
    "cycles",
    "tasks",
    "task_events",
    "versions",
    "chat_sessions",
    "chat_messages",
    "documents",
    "cycle_artifacts",
    "api_keys",
    "entity_index",
    "resolution_decisions",
}


def fresh_database(postgres_server_url: str) -> str:
    return servers.ensure_database(postgres_server_url, f"migr_{uuid.uuid4().hex[:8]}")


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_up_down_up(postgres_server_url: str) -> None:
    url = fresh_database(postgres_server_url)
    engine = sa.create_engine(url)
    migrate.upgrade(url)
    assert tables(engine) == EXPECTED_TABLES
    migrate.downgrade(url, "base")
    assert tables(engine) == set()
    with engine.connect() as conn:  # enum types are dropped too
        assert (
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_type WHERE typname IN "
                    "('member_role', 'cycle_status', 'cycle_kind', 'task_status')"
                )
            ).scalar()
            == 0
        )
    migrate.upgrade(url)
    assert tables(engine) == EXPECTED_TABLES
    engine.dispose()


def test_models_and_migrations_agree(postgres_server_url: str) -> None:
    url = fresh_database(postgres_server_url)
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_timestamps_come_from_the_clock_at_insert(postgres_server_url: str) -> None:
    url = fresh_database(postgres_server_url)
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    insert = sa.text(
        "INSERT INTO users (email, password_hash) VALUES (:e, 'x') RETURNING created_at"
    )
    with engine.begin() as conn:
        first = conn.execute(insert, {"e": "a@example.com"}).scalar_one()
    time.sleep(0.05)
    with engine.begin() as conn:
        second = conn.execute(insert, {"e": "b@example.com"}).scalar_one()
    engine.dispose()
    assert second > first
