"""The worker runs below the API's CPU priority: a cycle's indexing does not delay the API on a
shared host (``ferag.worker.priority``)."""

from __future__ import annotations

import os

import psutil

from ferag.settings import Settings
from tests.workers import WorkerProcess


def test_the_worker_and_its_pool_run_at_the_configured_niceness(
    settings: Settings, worker: WorkerProcess
) -> None:
    main = psutil.Process(worker.process.pid)
    pool = main.children()
    assert pool, "the worker has no pool process"
    assert settings.worker_nice == 10  # the default
    api = os.getpriority(os.PRIO_PROCESS, 0)  # the test stack's API runs in this process
    # Linux keeps a nice per thread: every thread of the worker and of its pool runs lower.
    threads = [t.id for p in [main, *pool] for t in p.threads()]
    assert {os.getpriority(os.PRIO_PROCESS, t) for t in threads} == {max(10, api)}
