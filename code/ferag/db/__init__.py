"""Application database: typed table models, engine, and Alembic migrations."""
