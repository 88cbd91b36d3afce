"""Keeping the worker's long-lived heap out of Python's garbage collector.

A worker holds ≈730 MB of objects that live as long as it does (GraphRAG, pandas, rdflib,
LiteLLM and their imports). Every full collection walks all of them: ≈0.5 s, at a moment no one
chooses, so the same merge took 0.35 s or 1.0-1.5 s. ``gc.freeze()`` moves everything alive
into a permanent generation the collector no longer walks (objects there are still freed when
their last reference goes; only cycles among them are no longer collected).

``freeze_long_lived()`` imports what the steps import, collects once and freezes: the worker
calls it in its pool process before the first task (not at start-up: Celery gives a pool process
4 s to come up and the imports take longer) and again after each task, which then costs only a
collection of what that task left behind.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time

logger = logging.getLogger(__name__)

# What the pipeline's steps import lazily: all of it stays for the process's life.
STEP_MODULES = (
    "graphrag_lib.index",
    "graphrag_lib.to_rdf",
    "graphrag_lib.schema",
    "graphrag_lib.merge",
    "graphrag_lib.retrieve",
)

_imported = False


def freeze_long_lived() -> float:
    """Import the steps' modules (once), collect, freeze what is alive; the seconds it took."""
    global _imported
    started = time.monotonic()
    if not _imported:
        for name in STEP_MODULES:
            importlib.import_module(name)
        _imported = True
    gc.collect()
    gc.freeze()
    seconds = time.monotonic() - started
    logger.debug("froze %d long-lived objects in %.2f s", gc.get_freeze_count(), seconds)
    return seconds
