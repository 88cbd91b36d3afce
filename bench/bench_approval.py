"""Approval time by change-set size (1k, 10k, 100k triples) and production size (10k, 100k, 1M).

    .venv/bin/python bench/bench_approval.py                      # print the results
    .venv/bin/python bench/bench_approval.py --write docs/benchmarks.md

Starts Oxigraph and PostgreSQL from their wheels (``ferag.stack.servers``). For each production
size it loads a synthetic production graph of entity-shaped resources (8 triples each: type,
label, description, key, normalised label, text, provenance) with Graph Store POST. For each
change-set size and run it stages a fresh change set (98 % new entities, 2 % replaced
descriptions of existing ones, as merge would write them), calls the service's
``approve_cycle`` (RAG lock, exactness check, the one SPARQL Update, version row, chat entity
index refresh, commit) and then ``rollback`` to the previous version, which restores production
to its original size for the next run. All productions are loaded first and the runs rotate
over them, so that every cell sees the same store. The time of the SPARQL Update alone and of
the entity index refresh are taken inside the same calls by wrapping those two functions.

The claim checked: approval time follows the change set, not production; the same change set
on 1M vs 10k production takes at most 1.5x as long.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from results import write_section
from sqlalchemy.orm import Session, sessionmaker
from stores import FUSEKI_HEAP, STORE_KINDS, BenchStore, parse_stores, post_lines, start_store

import ferag.services.changes as changes
from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Cycle, CycleStatus, Rag, User
from ferag.events import history
from ferag.services import approval
from ferag.services.approval import approve_cycle
from ferag.services.cycles import TASK_KIND
from ferag.services.versions import rollback
from ferag.stack import servers
from ferag.store.client import TripleStore
from graphrag_lib.pipeline import STEP_NAMES
from graphrag_lib.vocab import RagIris

BASE_IRI = "https://bench.example.org/"
SECTION_TITLE = "## Approval"
TRIPLES_PER_ENTITY = 8
CHANGED_SHARE = 0.01  # of the change set: removed old descriptions (and as many new ones)
LOAD_CHUNK = 100_000
WARM_UP = 1  # unmeasured runs before each cell's (caches, connections)
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
ENTITY = "<https://ferag.dev/ns#Entity>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DESCRIPTION = "<http://purl.org/dc/terms/description>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
FERAG = "https://ferag.dev/ns#"


# --- synthetic graphs ----------------------------------------------------------------------------


def entity_triples(iris: RagIris, name: str, description: str) -> list[str]:
    e = f"<{iris.entity(name)}>"
    return [
        f"{e} {TYPE} {ENTITY} .",
        f'{e} {LABEL} "{name}" .',
        f'{e} {DESCRIPTION} "{description}" .',
        f'{e} <{FERAG}key> "{name}" .',
        f'{e} <{FERAG}normalisedLabel> "{name}" .',
        f'{e} <{FERAG}text> "about {name}" .',
        f'{e} <{FERAG}order> "{len(name)}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f"{e} {DERIVED} <{iris.passage(name)}> .",
    ]


def production_triples(iris: RagIris, size: int) -> list[str]:
    return [
        line
        for i in range(size // TRIPLES_PER_ENTITY)
        for line in entity_triples(iris, f"p{i}", f"p{i} as it was")
    ]


def change_set(iris: RagIris, production_size: int, size: int, tag: str) -> tuple[str, str]:
    """N-Triples of ``add`` and ``remove``: ``size`` triples in all."""
    changed = int(size * CHANGED_SHARE)
    fresh = (size - 2 * changed) // TRIPLES_PER_ENTITY
    add = [line for i in range(fresh) for line in entity_triples(iris, f"{tag}n{i}", "new")]
    remove = []
    for i in random.sample(range(production_size // TRIPLES_PER_ENTITY), changed):
        entity = f"<{iris.entity(f'p{i}')}>"
        remove.append(f'{entity} {DESCRIPTION} "p{i} as it was" .')
        add.append(f'{entity} {DESCRIPTION} "p{i} as of {tag}" .')
    return "\n".join(add) + "\n", "\n".join(remove) + "\n"


# --- stack ---------------------------------------------------------------------------------------


@dataclass
class Stack:
    """PostgreSQL for the whole run and the store being measured (one store at a time)."""

    session_factory: sessionmaker[Session]
    store: BenchStore
    client: TripleStore

    def post_graph(self, rag_id: int, graph: str, lines: list[str] | str) -> None:
        """Graph Store POST (adds to the graph), in chunks."""
        if isinstance(lines, str):
            self.client.post_graph(rag_id, graph, lines.encode())
        else:
            post_lines(self.client, rag_id, graph, lines, LOAD_CHUNK)


@contextmanager
def database(home: Path) -> Iterator[sessionmaker[Session]]:
    postgres = servers.start_postgres(home / "postgres", home / "logs" / "postgres.log")
    try:
        database_url = servers.ensure_database(postgres.url, "ferag_bench")
        migrate.upgrade(database_url)
        engine = make_engine(database_url)
        yield make_session_factory(engine)
        engine.dispose()
    finally:
        postgres.stop()


@contextmanager
def store_stack(
    factory: sessionmaker[Session], kind: str, home: Path, fuseki_heap: str
) -> Iterator[Stack]:
    store = start_store(kind, home, BASE_IRI, fuseki_heap)
    client = store.client()
    try:
        yield Stack(factory, store, client)
    finally:
        client.close()
        store.stop()


def create_rag(stack: Stack) -> tuple[int, int]:
    with stack.session_factory.begin() as db:
        user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="-")  # noqa: S106 - cannot log in
        rag = Rag(name="bench")
        db.add_all([user, rag])
        db.flush()
        rag_id, user_id = rag.id, user.id
    stack.client.create_space(rag_id)  # Fuseki: the RAG's dataset; Oxigraph: nothing
    return rag_id, user_id


def stage_cycle(stack: Stack, rag_id: int, iris: RagIris, base: int, add: str, remove: str) -> int:
    with stack.session_factory.begin() as db:
        cycle = Cycle(
            rag_id=rag_id,
            status=CycleStatus.review,
            base_version=base,
            steps={step: {"status": "done"} for step in STEP_NAMES},
        )
        db.add(cycle)
        db.flush()
        history.create_task(db, rag_id, TASK_KIND, cycle_id=cycle.id)
        cycle_id = cycle.id
    stack.post_graph(rag_id, str(iris.graph(f"cycle/{cycle_id}/add")), add)
    stack.post_graph(rag_id, str(iris.graph(f"cycle/{cycle_id}/remove")), remove)
    return cycle_id


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Run:
    approval_s: float
    check_s: float
    update_s: float
    refresh_s: float
    rollback_s: float


@dataclass
class Cell:
    production: int
    change_set: int
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(run, attribute) for run in self.runs))


@dataclass
class Load:
    triples: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.triples / self.seconds


@dataclass
class StoreResult:
    kind: str
    version: str
    loads: list[Load]
    cells: list[Cell]
    rss_mib: float  # of the store server, at the end of its runs

    def ratio(self, change_set: int, attribute: str) -> float | None:
        """The cell's median on the largest production over that on the smallest."""
        by_key = {(c.production, c.change_set): c for c in self.cells}
        sizes = [c.production for c in self.cells]
        low, high = by_key.get((min(sizes), change_set)), by_key.get((max(sizes), change_set))
        if low is None or high is None:
            return None
        return high.median(attribute) / low.median(attribute)


@contextmanager
def timing(module: Any, name: str, spent: list[float]) -> Iterator[None]:
    """Time every call of ``module.name`` during the block (appended to ``spent``)."""
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def count_production(stack: Stack, rag_id: int, iris: RagIris) -> int:
    graph = iris.graph("prod")
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(stack.client.select(rag_id, query)[0]["n"]["value"])


def measure_run(stack: Stack, rag_id: int, user_id: int, cell: Cell, version: int) -> Run:
    iris = RagIris(BASE_IRI, str(rag_id))
    add, remove = change_set(iris, cell.production, cell.change_set, uuid.uuid4().hex[:6])
    cycle_id = stage_cycle(stack, rag_id, iris, version, add, remove)
    checks: list[float] = []
    updates: list[float] = []
    refreshes: list[float] = []
    with (
        timing(approval, "is_exact", checks),
        timing(changes, "apply_steps", updates),
        timing(changes, "refresh_entities", refreshes),
    ):
        with stack.session_factory() as db:
            started = time.perf_counter()
            approve_cycle(db, stack.client, iris, rag_id, cycle_id, user_id)
            approved = time.perf_counter() - started
        with stack.session_factory() as db:
            started = time.perf_counter()
            rollback(db, stack.client, iris, rag_id, version, user_id)
            rolled_back = time.perf_counter() - started
    return Run(approved, checks[0], updates[0], refreshes[0], rolled_back)


@dataclass
class Production:
    """A RAG whose production graph holds ``size`` triples (restored after every run)."""

    size: int
    rag_id: int
    user_id: int
    version: int = 0

    @property
    def iris(self) -> RagIris:
        return RagIris(BASE_IRI, str(self.rag_id))


def load_production(stack: Stack, size: int) -> tuple[Production, Load]:
    rag_id, user_id = create_rag(stack)
    production = Production(size, rag_id, user_id)
    lines = production_triples(production.iris, size)
    started = time.perf_counter()
    stack.post_graph(rag_id, str(production.iris.graph("prod")), lines)
    load = Load(size, time.perf_counter() - started)
    assert count_production(stack, rag_id, production.iris) == size
    print(f"{stack.store.kind}: production {size:,} triples loaded in {load.seconds:.1f} s")
    return production, load


def planned_runs(size: int, runs: int) -> int:
    """``runs``, but at most 3 for change sets of 100k triples and more."""
    return min(runs, 3) if size >= 100_000 else runs


def measure(stack: Stack, sizes: list[int], change_sets: list[int], runs: int) -> StoreResult:
    """Every production is loaded first and the runs of one change-set size rotate over them,
    so that all cells see the same store (its total size, compaction, caches)."""
    productions, loads = zip(*(load_production(stack, size) for size in sizes), strict=True)
    print(f"{stack.store.kind} idle after {stack.store.wait_until_idle():.0f} s")
    cells: list[Cell] = []
    for size in change_sets:
        row = {p.size: Cell(p.size, size) for p in productions}
        for number in range(WARM_UP + planned_runs(size, runs)):
            for production in productions:
                cell = row[production.size]
                run = measure_run(
                    stack, production.rag_id, production.user_id, cell, production.version
                )
                production.version += 2  # the approval and the rollback
                restored = count_production(stack, production.rag_id, production.iris)
                assert restored == production.size, "rollback did not restore production"
                if number >= WARM_UP:
                    cell.runs.append(run)
                print(
                    f"  {stack.store.kind} {production.size:>9,} production, {size:>7,} change "
                    f"set: {run}",
                    flush=True,
                )
        cells += row.values()
    cells.sort(key=lambda c: (c.production, c.change_set))
    return StoreResult(
        stack.store.kind, stack.store.version, list(loads), cells, stack.store.rss_mib()
    )


# --- report --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL 16 (pgserver)"
    )


@dataclass
class Conditions:
    runs: int
    fuseki_heap: str
    load_before: float
    load_after: float


def report(results: list[StoreResult], conditions: Conditions) -> str:
    stores = "; ".join(f"{r.kind}: {r.version}" for r in results)
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `bench/bench_approval.py` on {machine()}; "
        f"stores: {stores} (Fuseki's JVM with `-Xmx{conditions.fuseki_heap}`). The store, the "
        "database and the benchmark share the machine; load average (1 min) "
        f"{conditions.load_before:.2f} at the start, {conditions.load_after:.2f} at the end. "
        "The stores ran one after the other in the same run, against the same PostgreSQL. "
        "Production is synthetic entity-shaped data (8 triples per entity); each change set is "
        "98 % new entities and 2 % replaced descriptions (old one removed, new one added), as "
        "merge writes them. *approval* is the service's whole `approve_cycle` (RAG lock, "
        "*check* = the exactness check (two ASKs), **the one SPARQL Update**, counts, version "
        "row, chat entity index refresh, commit); *update* is that SPARQL Update alone; "
        "*refresh* is the entity index refresh (PostgreSQL full-text rows of the changed "
        "entities, read from the store); *rollback* returns to the previous version (the "
        f"inverse change set, also one update). Medians of {conditions.runs} runs (3 for "
        "100k-triple change sets), after one unmeasured warm-up run. All productions of a "
        "store are loaded before measuring starts (Oxigraph: one dataset for all RAGs, as in "
        "local mode; Fuseki: one TDB2 dataset per RAG, as in production); the runs of a "
        "change-set size rotate over the productions, so every cell sees the same store. "
        "Every rollback restored production's exact size before the next run.",
        "",
        "| store | production triples | change set triples | approval s | check s | update s "
        "| refresh s | rollback s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for cell in result.cells:
            lines.append(
                f"| {result.kind} | {cell.production:,} | {cell.change_set:,} "
                f"| {cell.median('approval_s'):.2f} | {cell.median('check_s'):.2f} "
                f"| {cell.median('update_s'):.2f} | {cell.median('refresh_s'):.2f} "
                f"| {cell.median('rollback_s'):.2f} |"
            )
    lines += ["", "Same change set, largest vs smallest production (limit 1.5x):", ""]
    header = " | ".join(f"{r.kind} approval | {r.kind} update" for r in results)
    lines += [f"| change set triples | {header} |", "|---:|" + "---:|" * 2 * len(results)]
    for size in sorted({c.change_set for c in results[0].cells}):
        ratios = [
            r.ratio(size, attribute) for r in results for attribute in ("approval_s", "update_s")
        ]
        shown = " | ".join("-" if x is None else f"{x:.2f}x" for x in ratios)
        lines.append(f"| {size:,} | {shown} |")
    lines += [
        "",
        "Loading production (Graph Store POST of 100k-triple N-Triples chunks, each one "
        "transaction, into a store that already holds the smaller productions):",
        "",
        "| store | production triples | load s | triples/s |",
        "|---|---:|---:|---:|",
    ]
    for result in results:
        lines += [
            f"| {result.kind} | {load.triples:,} | {load.seconds:.1f} | {load.per_second:,.0f} |"
            for load in result.loads
        ]
    memory = ", ".join(f"{r.kind} {r.rss_mib:,.0f} MiB" for r in results)
    lines += [
        "",
        f"Resident memory of the store servers at the end of their runs: {memory} (RSS counts "
        "the mapped pages of the store's files, so Fuseki's exceeds its JVM heap: TDB2 maps its "
        "indexes). Fuseki's first chunks load slowly while the JVM compiles its parser and "
        "index code; the 1M-triple production, loaded last, shows its steady rate.",
    ]
    return "\n".join([*lines, "", *(reading(r) for r in results)]) + "\n"


def reading(result: StoreResult) -> str:
    """What the table says for one store, in numbers taken from it."""
    cells = result.cells
    biggest = max(c.change_set for c in cells)
    row = [c for c in cells if c.change_set == biggest]
    approval = statistics.mean(c.median("approval_s") for c in row)
    update = statistics.mean(c.median("update_s") for c in row)
    refresh = statistics.mean(c.median("refresh_s") for c in row)
    return (
        f"{result.kind}: approval time follows the change set, about "
        f"{approval / biggest * 1000:.2f} ms per change-set triple at {biggest:,} triples "
        f"whatever the production size, {update / approval:.0%} of it the SPARQL Update and "
        f"{refresh / approval:.0%} the chat entity index refresh.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--productions", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--change-sets", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stores", type=parse_stores, default=list(STORE_KINDS))
    parser.add_argument("--fuseki-heap", default=FUSEKI_HEAP, help="the JVM's -Xmx")
    parser.add_argument("--write", type=Path, help="update this file's `## Approval` section")
    args = parser.parse_args()
    random.seed(7)
    load_before = os.getloadavg()[0]
    results: list[StoreResult] = []
    with tempfile.TemporaryDirectory(prefix="ferag-bench-approval-") as tmp:
        home = Path(tmp)
        with database(home) as factory:
            for kind in args.stores:
                with store_stack(factory, kind, home, args.fuseki_heap) as stack:
                    results.append(measure(stack, args.productions, args.change_sets, args.runs))
    conditions = Conditions(args.runs, args.fuseki_heap, load_before, os.getloadavg()[0])
    section = report(results, conditions)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
