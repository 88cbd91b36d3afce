"""A cycle's indexing running alongside a benchmark, as a worker on the same host runs it.

``IndexingLoad(nice)`` starts the offline stand-in (a child process, the model server: normal
priority) and a child process that, in a session of its own like a worker ``ferag up`` starts,
lowers its priority the way the worker does (``ferag.worker.priority.lower_priority``) and then
indexes a 100 KB corpus with GraphRAG over and over, each time with an empty cache, so that
every model call is made. ``start()`` returns once the first indexing run has begun (the imports
are paid); ``stop()`` ends it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CORPUS_BYTES = 100_000
START_TIMEOUT_S = 300


def _index_forever(standin_url: str, nice: int, scratch: Path, started: Any) -> None:
    from ferag.worker.priority import lower_priority

    os.setsid()  # a session of its own, as `ferag up` and service managers start a worker
    lower_priority(nice)

    from bench_index import _config, _source_documents, generate_corpus

    from graphrag_lib.index import index_documents

    documents = _source_documents(generate_corpus(CORPUS_BYTES))
    run = 0
    while True:  # until stop() terminates it
        run += 1
        work = scratch / str(run)
        started.set()
        index_documents(documents, work / "output", _config("ferag", standin_url, work / "cache"))
        shutil.rmtree(work, ignore_errors=True)


class IndexingLoad:
    def __init__(self, nice: int) -> None:
        self.nice = nice
        self._context = mp.get_context("spawn")
        self._started = self._context.Event()
        self._scratch = Path(tempfile.mkdtemp(prefix="ferag-bench-indexing-"))
        self._process: Any = None
        self._standin: Any = None

    def start(self) -> None:
        from bench_index import StandinProcess

        self._standin = StandinProcess()
        self._process = self._context.Process(
            target=_index_forever,
            args=(self._standin.url, self.nice, self._scratch, self._started),
            daemon=True,
        )
        self._process.start()
        if not self._started.wait(START_TIMEOUT_S):
            self.stop()
            raise RuntimeError("the indexing alongside did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()  # mid-run: nothing of it is kept
            self._process.join(30)
        if self._standin is not None:
            self._standin.stop()
        shutil.rmtree(self._scratch, ignore_errors=True)
