"""Keep the host's logging set-up across ``graphrag.api.build_index``.

``build_index`` clears the handlers of the ``graphrag`` and ``graphrag_llm`` loggers, sets their
levels and adds a file handler of its own (``work_dir/logs/indexing-engine.log``) on every call.
``preserved_logging`` snapshots those loggers and the root logger and puts them back, closing
the handlers GraphRAG added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

GRAPHRAG_LOGGERS = ("graphrag", "graphrag_llm")


@dataclass(frozen=True)
class _LoggerState:
    logger: logging.Logger
    handlers: tuple[logging.Handler, ...]
    level: int
    propagate: bool
    disabled: bool

    @classmethod
    def of(cls, logger: logging.Logger) -> _LoggerState:
        return cls(logger, tuple(logger.handlers), logger.level, logger.propagate, logger.disabled)

    def restore(self) -> None:
        logger = self.logger
        for handler in logger.handlers:
            if handler not in self.handlers:
                handler.close()
        logger.handlers[:] = self.handlers
        logger.setLevel(self.level)
        logger.propagate, logger.disabled = self.propagate, self.disabled


@contextmanager
def preserved_logging() -> Iterator[None]:
    """Undo whatever the block does to the root, ``graphrag`` and ``graphrag_llm`` loggers."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in GRAPHRAG_LOGGERS)]
    states = [_LoggerState.of(logger) for logger in loggers]
    try:
        yield
    finally:
        for state in states:
            state.restore()
