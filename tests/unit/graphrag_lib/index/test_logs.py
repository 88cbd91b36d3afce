"""build_index rewires graphrag's loggers; the host's set-up is put back afterwards."""

from __future__ import annotations

import logging
from pathlib import Path

from graphrag_lib.index.logs import preserved_logging


def test_handlers_levels_and_propagation_are_restored(tmp_path: Path) -> None:
    root, graphrag = logging.getLogger(), logging.getLogger("graphrag")
    host = logging.StreamHandler()
    graphrag.addHandler(host)
    graphrag.setLevel(logging.WARNING)
    before = list(root.handlers), root.level
    added = logging.FileHandler(tmp_path / "indexing-engine.log")
    try:
        with preserved_logging():
            graphrag.handlers.clear()
            graphrag.addHandler(added)
            graphrag.setLevel(logging.INFO)
            graphrag.propagate = False
            root.addHandler(added)

        assert graphrag.handlers == [host]
        assert graphrag.level == logging.WARNING
        assert graphrag.propagate
        assert (list(root.handlers), root.level) == before
        assert added.stream is None  # GraphRAG's file handler is closed
    finally:
        graphrag.removeHandler(host)
        graphrag.setLevel(logging.NOTSET)
