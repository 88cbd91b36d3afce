"""Wall time of every step of the update cycle on generated text, with the offline stand-in.

documents (read an upload) → index (GraphRAG) → to_rdf → schema → merge (against an empty
production) → staging (N-Triples into an Oxigraph server over the Graph Store Protocol).
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

SECTION_TITLE = "## Update cycle steps"
STEPS = ("documents", "index", "to_rdf", "schema", "merge", "staging")
T = TypeVar("T")


def timed(seconds: dict[str, float], step: str, run: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = run()
    seconds[step] = round(time.perf_counter() - started, 2)
    return value


def run_cycle(size: str, standin_url: str, store_url: str, scratch: Path) -> dict[str, Any]:
    from rdflib import Graph

    from ferag.store.client import make_store
    from graphrag_lib.documents import UploadedFile, UploadLimits, read_upload
    from graphrag_lib.index import IndexConfig, index_documents, load_tables
    from graphrag_lib.llm import LlmEndpoint, OpenAILikeChat
    from graphrag_lib.merge import GraphProductionView, MergeConfig, compute_change_set
    from graphrag_lib.schema import SchemaConfig, induce_schema
    from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
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
    config = IndexConfig(endpoint=endpoint, cache_dir=scratch / "cache")
    indexed = timed(s, "index", lambda: index_documents(docs, scratch / "work", config))
    metas = [DocumentMeta(path=d.path, title=d.title, format=d.format) for d in docs]
    extracted = timed(
        s, "to_rdf", lambda: tables_to_rdf(load_tables(indexed.output_dir), iris, metas)
    )
    schema = timed(
        s,
        "schema",
        lambda: induce_schema(
            extracted, Graph(), OpenAILikeChat(endpoint), SchemaConfig(), iris=iris
        ),
    )
    candidate = schema.typed + schema.ontology
    change = timed(
        s,
        "merge",
        lambda: compute_change_set(candidate, GraphProductionView(Graph()), iris, MergeConfig()),
    )
    store = make_store("oxigraph", store_url, "http://bench.local/")
    timed(
        s,
        "staging",
        lambda: store.put_graph(
            1, str(iris.graph("cycle/1/add")), change.add.serialize(format="nt", encoding="utf-8")
        ),
    )
    store.close()
    return {
        "size": size,
        "documents": len(docs),
        "extracted": len(extracted),
        "add": len(change.add),
        "seconds": s,
    }


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        SECTION_TITLE,
        "",
        "`bench/bench_pipeline.py`: every step of one cycle on the indexing benchmark's "
        "generated English/Russian prose, offline stand-in (rule-based, not a model) in a "
        "child process, empty LLM cache, merge against an empty production, staging = one "
        "Graph Store PUT of the `add` graph into Oxigraph. Seconds, one run each; the first "
        "row's index time includes GraphRAG's one-off imports (about 5-6 s).",
        "",
        "| size | docs | " + " | ".join(STEPS) + " | total | extracted triples | add triples |",
        "|---|---:|" + "---:|" * (len(STEPS) + 3),
    ]
    for row in rows:
        secs = row["seconds"]
        cells = " | ".join(f"{secs[step]:.2f}" for step in STEPS)
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
    from ferag.stack import servers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10KB", "100KB"], choices=list(SIZES))
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    standin = StandinProcess()
    with tempfile.TemporaryDirectory() as tmp:
        store = servers.start_oxigraph(Path(tmp) / "ox", Path(tmp) / "ox.log")
        try:
            rows = [
                run_cycle(size, standin.url, store.url, Path(tmp) / size) for size in args.sizes
            ]
        finally:
            store.stop()
            standin.stop()
    section = render(rows)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
