"""Alembic environment: the URL comes from the Alembic config (set by ``ferag.db.migrate``)
or, when run through ``alembic`` on the command line, from Settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from ferag.db.models import Base
from ferag.settings import get_settings

config = context.config


def get_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or get_settings().require("database_url")


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = get_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=get_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
