"""The worker's CPU priority: below the API's on a shared host.

A cycle's indexing keeps a core busy for minutes. On a host that also runs the API, the API's
requests and its progress sockets should not wait behind it (docs/benchmarks.md, "Event fan-out
with a cycle indexing alongside"). So the worker lowers its priority to ``FERAG_WORKER_NICE``
(Unix nice, 0 to 19) when it starts, before its pool forks. Linux keeps a nice per thread and
new threads and processes inherit their creator's, so every thread already running (a
library's allocator thread, say) is lowered too, and whatever starts later inherits it.

Linux's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``, on by default) first
shares the CPU between sessions and applies a process's nice only within its own session; and
``ferag up`` (like a service manager) starts each server in a session of its own. So a worker
that leads its session lowers that session's autogroup too (``/proc/self/autogroup``, see
sched(7)). Without privileges a process can only lower its priority, so a worker started nicer
than the setting stays as it was.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")  # "/autogroup-123 nice 0"
TASKS = "/proc/self/task"  # a directory per thread, named by its id


def lower_priority(niceness: int) -> int:
    """Run this process (and what it forks from now on) at ``niceness`` or lower priority, and
    its session's autogroup too when it leads the session; returns the niceness it runs at."""
    for thread in _threads():
        if niceness > os.getpriority(os.PRIO_PROCESS, thread):
            os.setpriority(os.PRIO_PROCESS, thread, niceness)
    if os.getsid(0) == os.getpid() and niceness > (autogroup_nice() or 0):
        try:
            AUTOGROUP.write_text(str(niceness))
        except OSError as exc:  # no autogroups (not Linux, or disabled), or not allowed
            logger.debug("autogroup priority not lowered: %s", exc)
    return os.getpriority(os.PRIO_PROCESS, 0)


def _threads() -> list[int]:
    """This process's threads (Linux); else 0, the calling thread."""
    try:
        return [int(tid) for tid in os.listdir(TASKS)]
    except OSError:
        return [0]


def autogroup_nice() -> int | None:
    """The nice of this process's autogroup; None without autogroups."""
    try:
        return int(AUTOGROUP.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None
