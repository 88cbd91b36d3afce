"""Logging set-up for ferag's entry points (API, worker, CLI): JSON lines with their context.

Library modules only do ``logger = logging.getLogger(__name__)``; this module is called by
entry points, and again by the worker after GraphRAG clears its loggers' handlers. One
``logging_config`` serves ``configure_logging`` and uvicorn's ``log_config`` (``ferag.api.serve``),
so uvicorn's own access and error lines are formatted like every other line.

Each line carries the context it was logged in: the API request's ``request_id``, and in the
worker the ``rag_id``, ``cycle_id``, ``task_id`` (ferag's task, the one clients follow),
``celery_task_id`` and ``step`` that the step runner binds with ``log_context``
(``ContextFilter`` copies them onto each record).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_job_context: ContextVar[dict[str, object] | None] = ContextVar("job_context", default=None)

JOB_FIELDS = ("rag_id", "cycle_id", "task_id", "celery_task_id", "step")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s%(job)s] %(message)s"
NOISY_LOGGERS = ("httpx", "httpcore", "LiteLLM", "litellm")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")

MAX_REQUEST_ID_LENGTH = 128
_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:+/=-]{{1,{MAX_REQUEST_ID_LENGTH}}}")


def accepted_request_id(given: str | None) -> str:
    """The client's ``X-Request-ID`` if it is safe to echo and log (at most 128 letters,
    digits and ``._:+/=-``), else a fresh id: an id is never a way to inject into logs or
    headers, nor to make every log line megabytes long."""
    if given is not None and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# the text format's context, and uvicorn's ANSI-coloured copy of its message
_HIDDEN_ATTRS = {"job", "color_message"}


@contextmanager
def log_context(**fields: object) -> Iterator[dict[str, object]]:
    """Add ``fields`` to every line logged inside the block (and in tasks it starts). The
    returned dict may be extended in the block (``bind``) once more is known."""
    context = {**(_job_context.get() or {}), **fields}
    token = _job_context.set(context)
    try:
        yield context
    finally:
        _job_context.reset(token)


def bind(**fields: object) -> None:
    """Add ``fields`` to the enclosing ``log_context`` (nothing outside one)."""
    context = _job_context.get()
    if context is not None:
        context.update(fields)


def current_context() -> dict[str, object]:
    return dict(_job_context.get() or {})


class ContextFilter(logging.Filter):
    """Copies the request id and the job context onto each record (for both formats)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is not None:
            record.request_id = request_id
        context = _job_context.get() or {}
        for key, value in context.items():
            setattr(record, key, value)
        return True


class TextContextFilter(ContextFilter):
    """The context as the text format shows it: ``[request id cycle=7 step=index]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        context = _job_context.get() or {}
        record.job = "".join(f" {k}={context[k]}" for k in JOB_FIELDS if k in context)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra={...}`` fields and the context are included as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := request_id_var.get()) is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS | _HIDDEN_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO", *, as_json: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for ferag's processes, uvicorn's loggers included:
    one handler on the root logger, everything else propagates to it."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if as_json else {"format": TEXT_FORMAT}
    )
    context_filter = f"{__name__}.{'ContextFilter' if as_json else 'TextContextFilter'}"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"ferag": formatter},
        "filters": {"context": {"()": context_filter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "ferag",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            **{name: {"level": "WARNING"} for name in NOISY_LOGGERS},
            # uvicorn's own handlers would write plain text: none, they propagate to the root.
            **{name: {"handlers": [], "propagate": True} for name in UVICORN_LOGGERS},
        },
    }


def configure_logging(level: str = "INFO", *, as_json: bool = True) -> None:
    logging.config.dictConfig(logging_config(level, as_json=as_json))
    logging.captureWarnings(True)  # warnings become log lines (JSON), not raw stderr text
