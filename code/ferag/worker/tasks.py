"""Celery tasks, one per pipeline step (``ferag.cycle.<step>``); thin adapters over
``graphrag_lib``. The update cycle's steps arrive with the update-cycle issue."""

from __future__ import annotations

from ferag.worker.app import app


@app.task(name="ferag.ping")
def ping() -> str:
    """Round-trip check used by operations tooling and tests."""
    return "pong"
