"""``index_documents``: GraphRAG 3.3.0's standard pipeline over ferag's documents.

The documents go to ``graphrag.api.build_index`` as a DataFrame (GraphRAG's ``input_documents``),
one row per document with ``title`` = the document's ``path``, so later steps find a document
again by its path. Each run starts from an empty ``work_dir/output``; what makes a re-run cheap
is GraphRAG's LLM cache under ``cache_dir``, which answers every request it has seen before.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import hashlib
import logging
import shutil
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
from graphrag.api import build_index
from graphrag.index.typing.pipeline_run_result import PipelineRunResult

from graphrag_lib.index import cache_keys
from graphrag_lib.index.callbacks import ErrorCollector, WorkflowProgress
from graphrag_lib.index.config import IndexConfig
from graphrag_lib.index.errors import IndexingFailed
from graphrag_lib.index.failures import raise_for_failures
from graphrag_lib.index.logs import preserved_logging
from graphrag_lib.index.output import table_sizes
from graphrag_lib.index.settings import graphrag_config, output_dir
from graphrag_lib.progress import NO_PROGRESS, ProgressCallback

if TYPE_CHECKING:
    from graphrag_lib.documents import SourceDocument

logger = logging.getLogger(__name__)

# GraphRAG's cache keys, the same keys without PyYAML's per-character emitter: every process
# that indexes imports this module (the worker, `ferag pipeline`, the benches).
cache_keys.install()

T = TypeVar("T")


@dataclass(frozen=True)
class IndexResult:
    """Where GraphRAG wrote its tables, their row counts, seconds per workflow and wall-clock
    seconds of the whole run."""

    output_dir: Path
    table_rows: dict[str, int]
    workflow_seconds: dict[str, float]
    seconds: float


def index_documents(
    documents: Sequence[SourceDocument],
    work_dir: Path,
    config: IndexConfig,
    progress: ProgressCallback | None = None,
) -> IndexResult:
    """Index ``documents`` with GraphRAG into ``work_dir/output``; raise ``IndexingError``.

    Re-running with the same documents and config gives the same tables and, through the cache
    in ``config.cache_dir``, sends no model request twice. The host's logging set-up is the
    same after the call as before it.
    """
    frame = documents_frame(documents)
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(output_dir(work_dir), ignore_errors=True)
    settings = graphrag_config(config, work_dir)
    monitor = WorkflowProgress(progress or NO_PROGRESS)
    collector = ErrorCollector(monitor)
    logger.info("indexing %d documents in %s", len(frame), work_dir)
    started = time.monotonic()
    with preserved_logging(), collector.attached():
        results = run_coroutine(
            build_index(config=settings, callbacks=[monitor], input_documents=frame)
        )
    raise_for_failures(results, collector, config.endpoint.base_url)
    _require_all_workflows(results, monitor.names)
    seconds = time.monotonic() - started
    logger.info("indexed %d documents in %.1f s", len(frame), seconds)
    return IndexResult(
        output_dir(work_dir), table_sizes(output_dir(work_dir)), dict(monitor.seconds), seconds
    )


def documents_frame(documents: Sequence[SourceDocument]) -> pd.DataFrame:
    """GraphRAG's input documents: ``title`` is the path; rows in path order."""
    if not documents:
        raise IndexingFailed("load_input_documents", "there are no documents to index")
    paths = [d.path for d in documents]
    if len(set(paths)) != len(paths):
        raise ValueError("document paths must be unique: GraphRAG finds documents by title=path")
    if not any(d.text.strip() for d in documents):
        raise IndexingFailed("load_input_documents", "no document has any text to index")
    rows = [_document_row(i, d) for i, d in enumerate(sorted(documents, key=lambda d: d.path))]
    return pd.DataFrame(rows)


def _document_row(number: int, document: SourceDocument) -> dict[str, Any]:
    key = f"{document.path}\n{document.sha256}\n{document.text}"
    return {
        "id": hashlib.sha512(key.encode()).hexdigest(),
        "human_readable_id": number,
        "title": document.path,
        "text": document.text,
        "creation_date": _iso(document.date),
        "raw_data": None,
    }


def _iso(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion, also when the caller's thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphrag-index") as pool:
        # the caller's context variables (its log context, say) hold in the thread too
        return pool.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


def _require_all_workflows(results: list[PipelineRunResult], names: list[str]) -> None:
    finished = [r.workflow for r in results]
    if finished != names:
        missing = ", ".join(n for n in names if n not in finished) or "?"
        raise IndexingFailed(missing.split(", ")[0], f"GraphRAG stopped before {missing}")
