"""Facts over time: supersession quality on the temporal corpus per cycle, and the merge and
staging (consistency gate) steps' time against production size.

    PYTHONPATH=code:. .venv/bin/python bench/bench_temporal.py                # print
    PYTHONPATH=code:. .venv/bin/python bench/bench_temporal.py --write docs/benchmarks.md

Starts PostgreSQL, Redis and Oxigraph from their wheels, the API in a thread, the gold model of
``tests/fixtures/temporal/gold_model.py`` (gold extraction, the gold ontology with functional
and inverse-functional properties, the fact judge answering from the gold list) and a Celery
worker of its own. The corpus's three cycles (``tests/fixtures/temporal``) are uploaded (with
the upload's ``dates`` field), reviewed and approved through the API; after each approval
production is evaluated against ``gold.json`` (``evaluate.py``): facts superseded correctly
(and with the documents' date), wrongly, missed; restated facts untouched; designed changes
left with exactly one current fact; functional-property violations.

Time against production size: for each size, a new RAG gets the corpus's first cycle through
the API (approved), then its production is padded to the size with synthetic entities
(``bench_resolution.synthetic_triples``: names in both scripts, 15 triples each, bulk-loaded
with Graph Store POST, chat entity index rebuilt); the second cycle (the one with the changes)
is then uploaded, run by the worker to review and rejected, ``--runs`` times after one
unmeasured warm-up. The merge and staging steps' times are read from the cycle's step records
(``started_at``/``finished_at``), so they are what the worker spends, gate included once the
staging step runs it. Medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for ``tests``
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx
from bench_resolution import (
    BASE_IRI,
    LOAD_CHUNK,
    TRIPLES_PER_ENTITY,
    Stack,
    _commit,
    start_stack,
    synthetic_triples,
)
from results import machine, write_section

from ferag.services.entity_index import rebuild_index
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import store_from_settings
from ferag.store.space import RagSpace
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_account
from tests.fixtures.resolution.runs import read_graph, wait_for_review
from tests.fixtures.temporal.gold import Gold, load_gold
from tests.fixtures.temporal.gold_model import gold_model
from tests.fixtures.temporal.runs import TemporalRun, create_rag, run_cycles, upload

SECTION_TITLE = "## Facts over time"
TIMED_STEPS = ("merge", "staging")


@dataclass
class Production:
    size: int
    rag_id: int
    triples: int = 0
    runs: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in TIMED_STEPS})

    def median(self, step: str) -> float:
        return float(statistics.median(self.runs[step]))

    @property
    def total(self) -> float:
        return sum(self.median(step) for step in TIMED_STEPS)


def step_seconds(cycle: dict[str, Any], step: str) -> float:
    record = cycle["steps"][step]
    started = datetime.fromisoformat(record["started_at"])
    return (datetime.fromisoformat(record["finished_at"]) - started).total_seconds()


def pad_production(stack: Stack, settings: Settings, rag_id: int, size: int, gold: Gold) -> int:
    """Production of ``rag_id`` padded with synthetic entities to about ``size`` triples."""
    iris = RagIris(BASE_IRI, str(rag_id))
    present = len(read_graph(settings, rag_id, "prod"))
    lines = synthetic_triples(iris, (size - present) // TRIPLES_PER_ENTITY, set(gold.owners()))
    with httpx.Client(timeout=3600) as http:
        for at in range(0, len(lines), LOAD_CHUNK):
            http.post(
                f"{stack.store_url}/store",
                params={"graph": str(iris.graph("prod"))},
                content=("\n".join(lines[at : at + LOAD_CHUNK]) + "\n").encode(),
                headers={"Content-Type": "application/n-triples"},
            ).raise_for_status()
    store = store_from_settings(settings)
    try:
        with stack.session_factory.begin() as db:
            rebuild_index(db, RagSpace.of(store, BASE_IRI, rag_id))
    finally:
        store.close()
    return present + len(lines)


def time_cycle(http: httpx.Client, owner: Account, rag_id: int, gold: Gold) -> dict[str, Any]:
    """The corpus's second cycle run to review, then rejected: the cycle in review."""
    cycle_id = upload(http, owner, rag_id, gold, gold.cycles[1])
    cycle = wait_for_review(http, owner, rag_id, cycle_id)
    response = http.post(f"/rags/{rag_id}/cycles/{cycle_id}/reject", headers=owner.headers)
    assert response.status_code == 200, response.text
    return cycle


def measure(
    stack: Stack, settings: Settings, api: str, sizes: list[int], runs: int, gold: Gold
) -> list[Production]:
    productions: list[Production] = []
    with httpx.Client(base_url=api, timeout=600) as http:
        owner = create_account(http)
        for size in sizes:
            rag_id = create_rag(http, owner, f"temporal-{size}", gold)
            cycle_id = upload(http, owner, rag_id, gold, gold.cycles[0])
            wait_for_review(http, owner, rag_id, cycle_id)
            approved = http.post(f"/rags/{rag_id}/cycles/{cycle_id}/approve", headers=owner.headers)
            assert approved.status_code == 200, approved.text
            production = Production(size, rag_id)
            started = time.perf_counter()
            production.triples = pad_production(stack, settings, rag_id, size, gold)
            loaded = time.perf_counter() - started
            print(f"production {production.triples:,} triples in {loaded:.0f} s", flush=True)
            for number in range(1 + runs):  # one warm-up, unmeasured
                cycle = time_cycle(http, owner, rag_id, gold)
                spent = {step: step_seconds(cycle, step) for step in TIMED_STEPS}
                if number:
                    for step, seconds in spent.items():
                        production.runs[step].append(seconds)
                print(f"  {production.triples:>9,} triples: {spent}", flush=True)
            productions.append(production)
    return productions


def run_bench(
    stack: Stack, sizes: list[int], runs: int, gold: Gold
) -> tuple[TemporalRun, list[Production]]:
    from ferag.api.app import create_app
    from tests.workers import start_worker

    model, _schema = gold_model(gold)
    with model.serve() as url:
        settings = stack.settings("gold", 1, url)
        settings.home.mkdir(parents=True, exist_ok=True)
        with ThreadedServer(create_app(settings)) as api:
            worker = start_worker(settings, settings.home / "worker.log")
            try:
                run = run_cycles(settings, api.url, gold, "temporal-gold")
                print(run.report(), flush=True)
                productions = measure(stack, settings, api.url, sizes, runs, gold)
            finally:
                worker.stop()
    return run, productions


def report(run: TemporalRun, productions: list[Production], runs: int) -> str:
    info = machine()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    gold = load_gold()
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} at commit {_commit()} with "
        f"`bench/bench_temporal.py` on {info['CPU']}, {info['cores (nproc)']} cores, "
        f"{info['memory']}, Python {info['Python']}; load average at the end {load}. The "
        f"corpus is `tests/fixtures/temporal` ({len(gold.documents)} documents in "
        f"{len(gold.cycles)} cycles, English and Russian, dated by the upload's `dates` field, "
        "by file name and in the text; "
        f"{len(gold.facts)} gold facts), processed by the gold model through the API and a real "
        "worker, each cycle approved. *superseded* = gold facts the documents end that "
        "production invalidated (*dated*: with the documents' `validUntil`); *wrongly* = "
        "invalidated statements no document contradicts; *missed* = ended facts still current; "
        "*one current* = designed changes whose functional slot holds exactly the new fact; "
        "*violations* = two values of a functional property in production's direct triples.",
        "",
        "| cycle | superseded | dated | wrongly | missed | restated untouched | one current "
        "| validFrom right | violations | approval | upload → review s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for cycle in run.cycles:
        e = cycle.evaluation
        lines.append(
            f"| {e.cycle} | {len(e.superseded_correctly)}/{len(e.ended)} "
            f"| {len(e.dated_correctly)}/{len(e.ended)} | {len(e.wrongly_superseded)} "
            f"| {len(e.missed)} | {len(e.restated_untouched)}/{len(e.restated)} "
            f"| {len(e.one_current)}/{len(e.changes)} "
            f"| {len(e.valid_from_correct)}/{len(e.current_facts)} | {len(e.violations)} "
            f"| {cycle.approval.status_code} | {cycle.seconds:.0f} |"
        )
    lines += [
        "",
        "Merge and staging (consistency gate) step times of the corpus's second cycle against "
        "production size, from the cycle's step records; production is the first cycle "
        f"approved plus synthetic entities ({TRIPLES_PER_ENTITY} triples each), chat entity "
        f"index rebuilt. Medians of {runs} runs after one warm-up.",
        "",
        "| production triples | merge s | staging s | merge + staging s |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {p.triples:,} | {p.median('merge'):.2f} | {p.median('staging'):.2f} | {p.total:.2f} |"
        for p in productions
    ]
    if len(productions) > 1:
        low, high = productions[0], productions[-1]
        lines += [
            "",
            f"Largest vs smallest production: {high.total / low.total:.2f}x "
            "(acceptance: at most 1.5x from 10k to 1M triples).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--productions", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", type=Path, help="replace the section in this Markdown file")
    parser.add_argument("--home", type=Path, help="scratch directory (default: a temporary one)")
    args = parser.parse_args()
    gold = load_gold()
    with tempfile.TemporaryDirectory(prefix="bench-temporal-") as scratch:
        stack = start_stack(args.home or Path(scratch))
        try:
            run, productions = run_bench(stack, args.productions, args.runs, gold)
        finally:
            stack.stop()
    section = report(run, productions, args.runs)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
