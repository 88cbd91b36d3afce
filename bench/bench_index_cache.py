"""Bench indexing cold (empty LLM cache) and warm (the same run again, every answer cached).

GraphRAG's standard pipeline (``graphrag_lib.index``) on the indexing benchmark's generated
English/Russian prose against the offline stand-in in a child process: first with an empty
cache, then again with the cache the first run wrote (what a retried or re-run cycle pays). One
JSON line per size, with the load average (the machine is shared). Run it with two checkouts on
``PYTHONPATH`` one after the other to compare code before and after a change in one session.

    .venv/bin/python bench/bench_index_cache.py --sizes 10KB,100KB --label after
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench_index import SIZES, StandinProcess, _config, _source_documents, generate_corpus, warm_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10KB,100KB")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    from graphrag_lib.index import index_documents

    standin = StandinProcess()
    scratch = Path(tempfile.mkdtemp(prefix="ferag-bench-index-cache-"))
    try:
        warm_up(standin, scratch / "warm-up")
        for size in args.sizes.split(","):
            documents = _source_documents(generate_corpus(SIZES[size]))
            config = _config("ferag", standin.url, scratch / size / "cache")
            row: dict[str, object] = {"label": args.label, "size": size, "docs": len(documents)}
            for run in ("cold", "warm"):
                standin.take_stats()
                load = os.getloadavg()[0]
                started = time.perf_counter()
                index_documents(documents, scratch / size / run, config)
                row[f"{run}_s"] = round(time.perf_counter() - started, 2)
                row[f"{run}_chat_calls"] = standin.take_stats().get("chat_calls", 0)
                row[f"{run}_load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
            print(json.dumps(row), flush=True)
    finally:
        standin.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
