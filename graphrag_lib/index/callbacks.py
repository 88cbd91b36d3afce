"""GraphRAG's workflow callbacks turned into ferag progress calls, and the model errors GraphRAG
only logs, collected so the run can raise them.

Progress: ``done``/``total`` count finished workflows out of the workflows in the run; ``data``
names the running workflow and, while GraphRAG reports items (text units chunked, text units
extracted, descriptions summarised, communities reported, embedding batches), how many of them
are done. Item progress is passed on once per whole percent, so a large run sends a bounded
number of calls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from graphrag.callbacks.noop_workflow_callbacks import NoopWorkflowCallbacks
from graphrag.logger.progress import Progress

from graphrag_lib.progress import ProgressCallback

# GraphRAG logs the errors it swallows (per text unit, per community) under these loggers;
# ``graphrag.index`` is not cleared by ``build_index``, unlike ``graphrag`` itself. The
# pipeline runner's own report of a failed workflow is left out: it arrives as the run result.
ERROR_LOGGER = "graphrag.index"
PIPELINE_LOGGER = "graphrag.index.run"


@dataclass(frozen=True)
class LoggedError:
    """An exception GraphRAG logged while a workflow ran."""

    workflow: str
    error: BaseException


class ErrorCollector(logging.Handler):
    """Keeps the exceptions logged at ERROR with ``exc_info`` (the first ``keep`` of them) and
    counts the distinct ones (GraphRAG logs some failures twice)."""

    def __init__(self, current_workflow: WorkflowProgress, keep: int = 20) -> None:
        super().__init__(logging.ERROR)
        self._workflow = current_workflow
        self._keep = keep
        self._seen: set[int] = set()
        self.errors: list[LoggedError] = []

    @property
    def count(self) -> int:
        return len(self._seen)

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or record.name.startswith(PIPELINE_LOGGER) or id(error) in self._seen:
            return
        self._seen.add(id(error))
        if len(self.errors) < self._keep:
            self.errors.append(LoggedError(self._workflow.current or "", error))

    @contextmanager
    def attached(self) -> Iterator[ErrorCollector]:
        logger = logging.getLogger(ERROR_LOGGER)
        logger.addHandler(self)
        try:
            yield self
        finally:
            logger.removeHandler(self)


@dataclass
class WorkflowProgress(NoopWorkflowCallbacks):
    """A GraphRAG ``WorkflowCallbacks`` that reports to a ``ProgressCallback``."""

    progress_callback: ProgressCallback
    names: list[str] = field(default_factory=list)
    current: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    _started: float = 0.0
    _last_percent: int = -1

    def pipeline_start(self, names: list[str]) -> None:
        self.names = list(names)
        self._report(0, "GraphRAG indexing started", {"workflows": self.names})

    def workflow_start(self, name: str, instance: object) -> None:
        self.current, self._started, self._last_percent = name, time.monotonic(), -1
        self._report(self._number(name) - 1, f"{name} started", self._workflow_data(name))

    def workflow_end(self, name: str, instance: object) -> None:
        elapsed = time.monotonic() - self._started
        self.seconds[name] = elapsed
        data = {**self._workflow_data(name), "seconds": round(elapsed, 3)}
        self._report(self._number(name), f"{name} done in {elapsed:.1f} s", data)

    def progress(self, progress: Progress) -> None:
        name, total = self.current, progress.total_items
        if name is None or not total:
            return
        done = progress.completed_items or 0
        percent = 100 * done // total
        if percent <= self._last_percent:
            return
        self._last_percent = percent
        stage = (progress.description or "").strip().rstrip(":").removesuffix(" progress")
        data = {**self._workflow_data(name), "items_done": done, "items_total": total}
        if stage:
            data["stage"] = stage
        message = f"{name}: {done}/{total}" + (f" ({stage})" if stage else "")
        self._report(self._number(name) - 1, message, data)

    def _number(self, name: str) -> int:
        return self.names.index(name) + 1 if name in self.names else 0

    def _workflow_data(self, name: str) -> dict[str, Any]:
        return {"workflow": name, "workflow_number": self._number(name)}

    def _report(self, done: int, message: str, data: dict[str, Any]) -> None:
        total = len(self.names) or None
        self.progress_callback(done, total, message, {**data, "workflows_total": total})
