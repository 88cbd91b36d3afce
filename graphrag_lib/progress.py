"""The progress callback that library steps call as their work advances.

A step takes a ``ProgressCallback`` and calls it with how much is done, out of how much, a short
human message and a small JSON-able ``data`` dict (e.g. ``{"workflow": "extract_graph"}``). The
host decides what to do with it; ferag's worker turns the calls into persisted, streamed progress
events (``ferag.events.progress.ProgressReporter``). ``NO_PROGRESS`` ignores every call and is
the default, so a step runs the same with or without a listener.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from typing import Any, Protocol


class ProgressCallback(Protocol):
    """Told how far a step is: ``done`` of ``total`` units (``total`` None when unknown)."""

    def __call__(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> None: ...


class NoProgress:
    """A ``ProgressCallback`` that ignores every call."""

    def __call__(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> None:
        return None


NO_PROGRESS: ProgressCallback = NoProgress()
