"""First render of the review page of a change set of 1,000+ items, in Chromium.

    .venv/bin/python bench/bench_review_page.py                      # print the results
    .venv/bin/python bench/bench_review_page.py --write docs/benchmarks.md

Starts PostgreSQL, Redis and Oxigraph from their wheels (``ferag.stack.servers``) and the API
under uvicorn in a child process, as ``ferag api`` does. The change set is made by the product's
own code from a generated corpus: the cycle and its documents are stored by ``open_cycle`` (as
an upload stores them), GraphRAG-shaped tables of the corpus (``--entities`` N entities, as many
relations) become RDF with ``tables_to_rdf`` (step ``to_rdf``), typed with one class per entity
type (what step ``schema`` falls back to), merged against production by ``compute_change_set``
(step ``merge``), written with the worker's ``ServiceStorage`` and gated by
``gate_change_set`` (step ``staging``); the cycle's steps are recorded by
``ferag.cycle.lifecycle`` and it waits for review. GraphRAG and a model are not run: their
tables are generated, which is what makes 1,000 items cheap.

Then Debian's Chromium (Playwright, ``executable_path``) opens the review page ``--runs``
times, each in a fresh context signed in with the session cookie, and reads the Performance
API: first contentful paint, and navigation start to the ``load`` event. The HTML size is the
page's decoded body. Target (issue #13): first render under 1 s on this machine class.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import api_server
import numpy as np
import pandas as pd
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from results import machine, write_section

from ferag.cycle import lifecycle
from ferag.cycle.storage import IndexedProductionView, ServiceStorage
from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Cycle, Member, Rag, Role, User
from ferag.security import SESSION_COOKIE, create_access_token
from ferag.services import diff
from ferag.services.cycles import open_cycle
from ferag.stack import servers
from ferag.store.client import make_store
from ferag.store.space import RagSpace
from graphrag_lib.documents import SourceDocument
from graphrag_lib.merge import MergeConfig, compute_change_set
from graphrag_lib.pipeline import STEP_NAMES, gate_change_set
from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
from graphrag_lib.vocab import RagIris

SECTION_TITLE = "## Review page: first render of a 1,000-item change set"
JWT_SECRET = "bench-" + uuid.uuid4().hex
BASE_IRI = "https://bench.example.org/"
CHROMIUM = os.environ.get("FERAG_CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 1000
ITEM_SECTIONS = [(g, c) for g in ("entities", "relations") for c in ("added", "changed", "removed")]
ITEM_SECTIONS += [("ontology", "added"), ("ontology", "changed")]  # what the reviewer reads
ENTITIES_PER_DOCUMENT = 20
TYPES = ("PERSON", "ORGANIZATION", "GEO", "EVENT")
MEASURE = """async () => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = await new Promise((resolve) => {
        const seen = performance.getEntriesByName("first-contentful-paint")[0];
        if (seen) return resolve(seen.startTime);
        new PerformanceObserver((list) => {
            const paint = list.getEntriesByName("first-contentful-paint")[0];
            if (paint) resolve(paint.startTime);
        }).observe({type: "paint", buffered: true});
        setTimeout(() => resolve(null), 5000);
    });
    return {
        fcp,
        load: nav.loadEventEnd,
        response: nav.responseEnd,
        html: nav.decodedBodySize,
        items: document.querySelectorAll("details.item").length,
    };
}"""


# --- the generated corpus, as GraphRAG's tables -----------------------------------------------


def _text(i: int) -> str:
    return f"Person {i} works with Organisation {i + 1} in City {i % 37} on project {i}."


def corpus(entities: int) -> tuple[list[SourceDocument], GraphRagTables]:
    """Documents of ``ENTITIES_PER_DOCUMENT`` entities each, and the tables GraphRAG would have
    read from them: one text unit per entity, a relation from each entity to the next."""
    docs, units, rows, relations, tables_docs = [], [], [], [], []
    for d in range(0, entities, ENTITIES_PER_DOCUMENT):
        path = f"generated/{d // ENTITIES_PER_DOCUMENT:03d}.txt"
        members = range(d, min(d + ENTITIES_PER_DOCUMENT, entities))
        text = " ".join(_text(i) for i in members)
        data = text.encode()
        docs.append(
            SourceDocument(path, path, "txt", text, "utf-8", None, uuid.uuid4().hex, len(data))
        )
        unit_ids = [f"t{i}" for i in members]
        tables_docs.append({"id": f"d{d}", "human_readable_id": d, "title": path, "text": text,
                            "text_unit_ids": unit_ids, "creation_date": "2026-01-01",
                            "raw_data": None})  # fmt: skip
        for i in members:
            units.append({"id": f"t{i}", "human_readable_id": i, "text": _text(i),
                          "n_tokens": 16, "document_id": f"d{d}", "entity_ids": [],
                          "relationship_ids": [], "covariate_ids": []})  # fmt: skip
    for i in range(entities):
        rows.append({"id": f"e{i}", "human_readable_id": i, "title": f"ENTITY {i:05d}",
                     "type": TYPES[i % len(TYPES)],
                     "description": f"Entity {i} appears in the generated report {i // 20}.",
                     "text_unit_ids": np.array([f"t{i}"], dtype=object), "frequency": 1,
                     "degree": 2})  # fmt: skip
        relations.append({"id": f"r{i}", "human_readable_id": i, "source": f"ENTITY {i:05d}",
                          "target": f"ENTITY {(i + 1) % entities:05d}",
                          "description": f"Entity {i} works with entity {i + 1}.",
                          "weight": 1.0, "combined_degree": 4,
                          "text_unit_ids": [f"t{i}"]})  # fmt: skip
    empty = {"communities": ["id", "human_readable_id", "community", "level", "parent",
                             "children", "title", "entity_ids", "relationship_ids",
                             "text_unit_ids", "period", "size"],
             "reports": ["id", "human_readable_id", "community", "level", "parent", "children",
                         "title", "summary", "full_content", "rank", "rating_explanation",
                         "findings", "full_content_json", "period", "size"]}  # fmt: skip
    tables = GraphRagTables(
        documents=pd.DataFrame(tables_docs),
        text_units=pd.DataFrame(units),
        entities=pd.DataFrame(rows),
        relationships=pd.DataFrame(relations),
        communities=pd.DataFrame(columns=empty["communities"]),
        community_reports=pd.DataFrame(columns=empty["reports"]),
    )
    return docs, tables


def with_fallback_ontology(graph: Graph, iris: RagIris) -> Graph:
    """The extracted graph typed as step ``schema`` leaves it when it falls back to one class
    per entity type: the provisional classes declared as OWL classes."""
    ontology = str(iris.ontology)
    for cls in {c for c in graph.objects(None, RDF.type) if str(c).startswith(ontology)}:
        graph.add((cls, RDF.type, OWL.Class))
        graph.add((cls, RDFS.label, Literal(iris.local_name(URIRef(str(cls))) or "", lang="en")))
    return graph


# --- the cycle --------------------------------------------------------------------------------


@dataclass
class Staged:
    rag_id: int
    cycle_id: int
    token: str
    items: int  # entities + relations + ontology terms of the change set
    counting_ms: float  # reading the counts once, when the cycle is staged


def stage_review_cycle(database_url: str, store_url: str, entities: int) -> Staged:
    factory = make_session_factory(make_engine(database_url))
    with factory.begin() as db:
        user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="-")  # noqa: S106 - cannot log in
        rag = Rag(name="review bench")
        db.add_all([user, rag])
        db.flush()
        db.add(Member(rag_id=rag.id, user_id=user.id, role=Role.owner))
    documents, tables = corpus(entities)
    with factory() as db:
        cycle, _task = open_cycle(db, rag, user, documents)
        cycle_id, rag_id, user_id = cycle.id, rag.id, user.id
    store = make_store("oxigraph", store_url, BASE_IRI)
    space = RagSpace.of(store, BASE_IRI, rag_id)
    storage = ServiceStorage(factory, space, cycle_id, Path(tempfile.gettempdir()))
    metas = [DocumentMeta(d.path, d.title, d.format) for d in documents]
    extracted = tables_to_rdf(tables, space.iris, metas)
    candidate = with_fallback_ontology(Graph() + extracted, space.iris)
    production = IndexedProductionView(space, factory)
    change_set = compute_change_set(candidate, production, space.iris, MergeConfig(), version=1)
    stats: dict[str, dict[str, Any]] = {
        "index": {"entities": entities, "relationships": entities, "text_units": entities},
        "to_rdf": {"triples": storage.write_graph("extracted", extracted)},
        "schema": {"triples": storage.write_graph("candidate", candidate)},
        "merge": {
            "add": storage.write_graph("add", change_set.add),
            "remove": storage.write_graph("remove", change_set.remove),
            **asdict(change_set.stats),
        },
    }
    gate, _warnings = gate_change_set(storage, None, change_set.add, change_set.remove)
    started = time.perf_counter()
    counts = diff.change_set_counts(space, cycle_id)  # what the worker keeps after staging
    counting_ms = (time.perf_counter() - started) * 1000
    stats["staging"] = {"staged_add": len(change_set.add), "staged_remove": 0, **gate,
                        diff.COUNTS: counts}  # fmt: skip
    with factory.begin() as db:
        row = db.get(Cycle, cycle_id, with_for_update=True)
        assert row is not None
        for step in STEP_NAMES:
            lifecycle.claim_step(row, step, None)
            lifecycle.finish_step(row, step, stats[step], (), last=step == STEP_NAMES[-1])
    store.close()
    token = create_access_token(user_id, JWT_SECRET, timedelta(hours=2))
    return Staged(rag_id, cycle_id, token, sum(counts[f"{g}_{c}"] for g, c in ITEM_SECTIONS),
                  counting_ms)  # fmt: skip


# --- servers and the browser ------------------------------------------------------------------


def start_api(home: Path, env_urls: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    env = {"FERAG_JWT_SECRET": JWT_SECRET, "FERAG_BASE_IRI": BASE_IRI, **env_urls}
    return api_server.start_api(home, env)


@contextmanager
def stack(home: Path) -> Iterator[tuple[str, str, str]]:
    """PostgreSQL, Redis, Oxigraph and the API: (database URL, store URL, API URL)."""
    logs = home / "logs"
    postgres = servers.start_postgres(home / "postgres", logs / "postgres.log")
    redis = servers.start_redis(home / "redis", logs / "redis.log")
    oxigraph = servers.start_oxigraph(home / "oxigraph", logs / "oxigraph.log")
    api: subprocess.Popen[bytes] | None = None
    try:
        database_url = servers.ensure_database(postgres.url, "ferag_bench")
        migrate.upgrade(database_url)
        urls = {"FERAG_DATABASE_URL": database_url, "FERAG_REDIS_URL": redis.url,
                "FERAG_STORE_URL": oxigraph.url, "FERAG_STORE_KIND": "oxigraph"}  # fmt: skip
        api, api_url = start_api(home, urls)
        yield database_url, oxigraph.url, api_url
    finally:
        if api is not None:
            api.terminate()
            try:
                api.wait(30)
            except subprocess.TimeoutExpired:
                api.kill()
        oxigraph.stop()
        redis.stop()
        postgres.stop()


def measure(api_url: str, staged: Staged, runs: int) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    path = f"/ui/rags/{staged.rag_id}/cycles/{staged.cycle_id}/review"
    found: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            for run in range(runs + 1):  # the first run warms the API's caches: not counted
                context = browser.new_context(viewport={"width": 1280, "height": 860})
                context.add_cookies(
                    [{"name": SESSION_COOKIE, "value": staged.token, "url": api_url}]
                )
                page = context.new_page()
                response = page.goto(api_url + path, wait_until="load")
                assert response is not None and response.status == 200, response
                result: dict[str, Any] = page.evaluate(MEASURE)
                context.close()
                if run:
                    found.append(result)
                    print(f"run {run}: {result}", flush=True)
        finally:
            browser.close()
    return found


HEADER = (
    "| items | HTML received (`responseEnd`) | first contentful paint | `load` | slowest run "
    "| HTML KiB | counting (once) |\n|---:|---:|---:|---:|---:|---:|---:|"
)


@dataclass(frozen=True)
class Measured:
    """One change set's cycle and its page loads."""

    staged: Staged
    entities: int
    runs: list[dict[str, Any]]

    def median(self, key: str) -> float:
        return float(statistics.median(r[key] for r in self.runs))

    def row(self) -> str:
        slowest = max(max(r["fcp"], r["load"]) for r in self.runs)
        return (
            f"| {self.staged.items:,} | {self.median('response'):.0f} | {self.median('fcp'):.0f} "
            f"| {self.median('load'):.0f} | {slowest:.0f} | {self.median('html') / 1024:.0f} "
            f"| {self.staged.counting_ms:.0f} |"
        )


def section(measured: list[Measured]) -> str:
    first = measured[0]
    verdict = "met" if max(first.median("fcp"), first.median("load")) < TARGET_MS else "not met"
    rows = "\n".join(m.row() for m in measured)
    info = "\n".join(f"- {key}: {value}" for key, value in machine().items())
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = len(first.runs)
    return f"""{SECTION_TITLE}

`bench/bench_review_page.py`: cycles in review whose change sets have {first.staged.items:,}
items and more (N entities and N relations added, plus ontology terms), made by the product's
own steps from a generated corpus (`open_cycle`, `tables_to_rdf`, `compute_change_set`, the
worker's `ServiceStorage`, the staging gate and the counts it keeps; GraphRAG's tables generated
instead of extracted). Each review page (`/ui/rags/{{id}}/cycles/{{cid}}/review`: counts, the
first section, {first.runs[0]["items"]} items of it, the rest paged) opened {runs} times in
Chromium (Playwright, a fresh signed-in context each time, after one unmeasured run), the API in
its own process (uvicorn, one process), PostgreSQL, Redis and Oxigraph from their wheels.
Medians in ms; *counting* is reading the section counts once, when the cycle is staged.

{HEADER}
{rows}

Target: first render of the {first.staged.items:,}-item change set under {TARGET_MS} ms —
**{verdict}**. The page reads one section page (50 items) and the counts kept at staging; what
still grows with the change set is listing the section's IRIs to page them. The counting, which
touches every subject of the change set, grows with it and is paid once by the worker.
Compare runs only at a similar load average (below).

{info}
- load average when measured (1, 5, 15 min): {load_average}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, nargs="+", default=[600, 3000])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    measured: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp, stack(Path(tmp)) as urls:
        database_url, store_url, api_url = urls
        for entities in args.entities:
            staged = stage_review_cycle(database_url, store_url, entities)
            measured.append(Measured(staged, entities, measure(api_url, staged, args.runs)))
    text = section(measured)
    print(text)
    if args.write:
        write_section(args.write, SECTION_TITLE, text)


if __name__ == "__main__":
    main()
