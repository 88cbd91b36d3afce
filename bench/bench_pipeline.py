"""Wall time of every step of the update cycle on generated text, with the offline stand-in.

Reading the upload, then each step of ``graphrag_lib.pipeline.STEPS`` on ``ferag pipeline``'s
folder storage, merge against an empty production.
The corpus and the stand-in process are the indexing benchmark's (``bench_index.py``).

    .venv/bin/python bench/bench_pipeline.py --sizes 10KB 100KB 1MB --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_index import SIZES, StandinProcess, generate_corpus
from results import machine, write_section

from graphrag_lib.pipeline import STEP_NAMES

SECTION_TITLE = "## Update cycle steps"
COLUMNS = ("documents", *STEP_NAMES)
T = TypeVar("T")


def timed(seconds: dict[str, float], step: str, run: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = run()
    seconds[step] = round(time.perf_counter() - started, 2)
    return value


def run_cycle(size: str, standin_url: str, scratch: Path) -> dict[str, Any]:
    from graphrag_lib.documents import UploadedFile, UploadLimits, read_upload
    from graphrag_lib.folder import FolderStorage
    from graphrag_lib.index import IndexConfig
    from graphrag_lib.llm import LlmEndpoint, OpenAILikeChat
    from graphrag_lib.merge import MergeConfig
    from graphrag_lib.pipeline import STEPS, CycleRun
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
    iris = RagIris("http://bench.local/", size)
    files = [
        UploadedFile(name=path, data=text.encode()) for path, text in generate_corpus(SIZES[size])
    ]
    s: dict[str, float] = {}
    docs = timed(s, "documents", lambda: read_upload(files, UploadLimits()))
    storage = FolderStorage(docs, scratch / "out", iris)
    done: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        run = CycleRun(
            storage=storage,
            iris=iris,
            index=IndexConfig(endpoint=endpoint, cache_dir=scratch / "cache"),
            schema=SchemaConfig(),
            merge=MergeConfig(),
            chat=lambda: OpenAILikeChat(endpoint),
            progress=NO_PROGRESS,
            earlier=dict(done),
        )
        done[step.name] = timed(s, step.name, lambda: step.run(run)).stats  # noqa: B023
    return {
        "size": size,
        "documents": len(docs),
        "extracted": done["to_rdf"]["triples"],
        "add": done["merge"]["add"],
        "seconds": s,
    }


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        SECTION_TITLE,
        "",
        "`bench/bench_pipeline.py`: every step of one cycle on the indexing benchmark's "
        "generated English/Russian prose, offline stand-in (rule-based, not a model) in a "
        "child process, empty LLM cache, merge against an empty production; the steps run "
        "on `ferag pipeline`'s folder storage (graphs as Turtle files). Seconds, one run "
        "each; the first "
        "row's index time includes GraphRAG's one-off imports (about 5-6 s).",
        "",
        "| size | docs | " + " | ".join(COLUMNS) + " | total | extracted triples | add triples |",
        "|---|---:|" + "---:|" * (len(COLUMNS) + 3),
    ]
    for row in rows:
        secs = row["seconds"]
        cells = " | ".join(f"{secs[step]:.2f}" for step in COLUMNS)
        lines.append(
            f"| {row['size']} | {row['documents']} | {cells} | "
            f"{sum(secs.values()):.1f} | {row['extracted']:,} | {row['add']:,} |"
        )
    lines += [
        "",
        "Machine: "
        + ", ".join(f"{k} {v}" for k, v in machine().items())
        + f"; load average at the end {os.getloadavg()[0]:.2f}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10KB", "100KB"], choices=list(SIZES))
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    standin = StandinProcess()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rows = [run_cycle(size, standin.url, Path(tmp) / size) for size in args.sizes]
        finally:
            standin.stop()
    section = render(rows)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
