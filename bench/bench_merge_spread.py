"""Bench the merge step's spread over repeated identical runs, with and without a frozen heap.

One cycle of the indexing benchmark's generated prose (``--size``, offline stand-in in a child
process) runs its steps up to ``schema`` on ``ferag pipeline``'s folder storage; then the
``merge`` step runs ``--runs`` times on the same inputs, in a process holding what a worker
holds (GraphRAG, pandas, rdflib, LiteLLM imported). ``--freeze`` does what the worker does
(``ferag.worker.heap.freeze_long_lived`` before the first step and after each); without it
Python's collector walks the whole heap whenever its thresholds say so. Without ``--mode`` both
modes run, each in its own process, one after the other, and one JSON line each is printed.

    .venv/bin/python bench/bench_merge_spread.py --size 100KB
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_index import SIZES, StandinProcess, generate_corpus


def run(size: str, runs: int, freeze: bool, standin_url: str) -> dict[str, Any]:
    from ferag.worker.heap import freeze_long_lived
    from graphrag_lib.documents import UploadedFile, UploadLimits, read_upload
    from graphrag_lib.folder import FolderStorage
    from graphrag_lib.index import IndexConfig
    from graphrag_lib.llm import LlmEndpoint, OpenAILikeChat
    from graphrag_lib.merge import MergeConfig
    from graphrag_lib.pipeline import STEPS, CycleRun, step_named
    from graphrag_lib.progress import NO_PROGRESS
    from graphrag_lib.schema import SchemaConfig
    from graphrag_lib.vocab import RagIris

    endpoint = LlmEndpoint(
        base_url=f"{standin_url}/v1",
        chat_model="ferag-standin-chat",
        embedding_model="ferag-standin-embed",
        embedding_dim=384,
        max_retries=2,
        max_retry_wait_s=2,
    )
    scratch = Path(tempfile.mkdtemp(prefix="ferag-bench-merge-"))
    iris = RagIris("http://bench.local/", size)
    files = [UploadedFile(name=p, data=t.encode()) for p, t in generate_corpus(SIZES[size])]
    storage = FolderStorage(read_upload(files, UploadLimits()), scratch / "out", iris)
    done: dict[str, dict[str, Any]] = {}

    def cycle_run() -> CycleRun:
        return CycleRun(
            storage=storage,
            iris=iris,
            index=IndexConfig(endpoint=endpoint, cache_dir=scratch / "cache"),
            schema=SchemaConfig(),
            merge=MergeConfig(),
            chat=lambda: OpenAILikeChat(endpoint),
            progress=NO_PROGRESS,
            earlier=dict(done),
        )

    if freeze:
        freeze_long_lived()
    for step in STEPS:
        if step.name == "merge":
            break
        done[step.name] = step.run(cycle_run()).stats
        if freeze:
            freeze_long_lived()
    merge = step_named("merge")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        merge.run(cycle_run())
        seconds.append(time.perf_counter() - started)
        if freeze:
            freeze_long_lived()
    median = statistics.median(seconds)
    return {
        "size": size,
        "freeze": freeze,
        "runs": runs,
        "median_s": round(median, 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "spread_pct": [
            round(100 * (min(seconds) / median - 1), 1),
            round(100 * (max(seconds) / median - 1), 1),
        ],
        "seconds": [round(s, 3) for s in seconds],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="100KB", choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mode", choices=["freeze", "none"])
    args = parser.parse_args()
    if args.mode is None:
        for mode in ("none", "freeze"):
            command = [sys.executable, __file__, "--size", args.size, "--runs", str(args.runs)]
            subprocess.run([*command, "--mode", mode], check=True)
        return
    standin = StandinProcess()
    try:
        row = run(args.size, args.runs, args.mode == "freeze", standin.url)
    finally:
        standin.stop()
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
