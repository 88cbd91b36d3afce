"""Entity resolution: quality on the evaluation corpus, the model calls it costs, and the merge
step's time against production size.

    PYTHONPATH=code:. .venv/bin/python bench/bench_resolution.py                # print
    PYTHONPATH=code:. .venv/bin/python bench/bench_resolution.py --write docs/benchmarks.md

Starts PostgreSQL, Redis and Oxigraph from their wheels, the API in a thread, and for each model
(the gold model of ``tests/fixtures/resolution/gold_model.py``, then the offline stand-in) a
model server, a Celery worker of its own (its own broker database and home, so GraphRAG's
cache is never shared between the models) and a RAG. The corpus's two cycles
(``tests/fixtures/resolution``) are uploaded, reviewed and approved through the API; production
is evaluated against ``gold.json`` (``evaluate.py``): pairwise merge precision and recall,
surplus entities per real entity, wrong merges. The model servers record every call they answer
(the stand-in counts whitespace-separated words as tokens); calls that are not indexing, schema
or chat prompts are the resolution's. ``llm_calls``/``llm_pairs`` come from the merge step's
stats when it reports them.

Merge time: the gold run's second-cycle candidate graph (captured in review) is merged, with
``graphrag_lib.merge.compute_change_set`` through the service's production view
(``ServiceStorage(...).production()``), into productions of 10k, 100k and 1M triples: the gold
run's first-cycle production plus synthetic entities with realistic names in both scripts (15
triples each: entity, one relation with its statement node), bulk-loaded with Graph Store POST,
the chat entity index rebuilt (``rebuild_index``). Runs rotate over the productions; medians.
"""

# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for ``tests``
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node
from results import machine, write_section
from sqlalchemy.orm import Session, sessionmaker

from ferag.cycle.storage import ServiceStorage
from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Rag
from ferag.services.entity_index import rebuild_index
from ferag.settings import Settings
from ferag.stack import servers
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import store_from_settings
from ferag.store.space import RagSpace
from graphrag_lib.merge import MergeConfig, compute_change_set
from graphrag_lib.vocab import FERAG, RagIris, entity_key, normalise_label, text_literal
from tests.fixtures.resolution.evaluate import Evaluation
from tests.fixtures.resolution.gold import Gold, load_gold
from tests.fixtures.resolution.gold_model import (
    RecordingModel,
    gold_judge,
    gold_model,
    standin_model,
)
from tests.fixtures.resolution.runs import CorpusRun, merge_stats, read_graph, run_corpus
from tests.workers import start_worker

SECTION_TITLE = "## Entity resolution"
BASE_IRI = "http://ferag.local/"
LOAD_CHUNK = 100_000
TRIPLES_PER_ENTITY = 15
# Rules that answer indexing, schema and chat prompts; every other call is resolution's.
NOT_RESOLUTION = {
    "gold-extract-graph",
    "graphrag-extract-graph",
    "graphrag-glean-continue",
    "graphrag-glean-loop",
    "graphrag-summarize-descriptions",
    "graphrag-community-report",
    "schema-induction",
    "ferag-chat",
}


# --- the stack -------------------------------------------------------------------------------


@dataclass
class Stack:
    home: Path
    database_url: str
    redis_url: str  # database 0; each model gets its own database index
    store_url: str
    session_factory: sessionmaker[Session]
    stop: Any

    def settings(self, name: str, broker_db: int, llm_url: str) -> Settings:
        return Settings(
            home=self.home / name,
            database_url=self.database_url,
            redis_url=f"{self.redis_url.rsplit('/', 1)[0]}/{broker_db}",
            store_url=self.store_url,
            llm_base_url=llm_url,
            jwt_secret=f"bench-{uuid.uuid4().hex}",
            base_iri=BASE_IRI,
            log_json=False,
            log_level="WARNING",
            worker_heartbeat_s=1.0,
        )


def start_stack(home: Path) -> Stack:
    logs = home / "logs"
    oxigraph = servers.start_oxigraph(home / "oxigraph", logs / "oxigraph.log")
    postgres = servers.start_postgres(home / "postgres", logs / "postgres.log")
    redis = servers.start_redis(home / "redis", logs / "redis.log")
    database_url = servers.ensure_database(postgres.url, "ferag_bench")
    migrate.upgrade(database_url)

    def stop() -> None:
        for server in (redis, postgres, oxigraph):
            server.stop()

    factory = make_session_factory(make_engine(database_url))
    return Stack(home, database_url, redis.url, oxigraph.url, factory, stop)


# --- quality and cost on the corpus ----------------------------------------------------------


@dataclass
class ModelResult:
    name: str
    run: CorpusRun
    calls: int
    resolution_calls: int
    resolution_tokens: int
    input_tokens: int
    captured: dict[str, Graph] = field(default_factory=dict)

    @property
    def evaluation(self) -> Evaluation:
        return self.run.evaluation

    def merge_llm(self, key: str) -> int | None:
        values = [stats.get(key) for stats in merge_stats(self.run)]
        return None if all(v is None for v in values) else sum(int(v or 0) for v in values)


def input_tokens(gold: Gold) -> int:
    return sum(len(document.text.split()) for document in gold.documents)


def run_model(
    stack: Stack, name: str, model: RecordingModel, broker_db: int, gold: Gold
) -> ModelResult:
    """The corpus through the API and a worker of the model's own; the second cycle's candidate
    graph and the production it merges into are captured while it is in review."""
    from ferag.api.app import create_app

    captured: dict[str, Graph] = {}
    with model.serve() as url:
        settings = stack.settings(name, broker_db, url)
        settings.home.mkdir(parents=True, exist_ok=True)

        def capture(rag_id: int, cycle_id: int) -> None:
            captured["candidate"] = read_graph(settings, rag_id, f"cycle/{cycle_id}/candidate")
            captured["production"] = read_graph(settings, rag_id, "prod")

        with ThreadedServer(create_app(settings)) as api:
            worker = start_worker(settings, settings.home / "worker.log")
            try:
                started = time.perf_counter()
                run = run_corpus(settings, api.url, gold, f"bench-{name}", capture)
                print(f"{name}: corpus in {time.perf_counter() - started:.0f} s", flush=True)
            finally:
                worker.stop()
    resolution = [c for c in model.calls if c.rule not in NOT_RESOLUTION]
    return ModelResult(
        name,
        run,
        len(model.calls),
        len(resolution),
        sum(c.prompt_tokens + c.completion_tokens for c in resolution),
        input_tokens(gold),
        captured,
    )


# --- synthetic production --------------------------------------------------------------------


def _words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


FIRST_EN = _words(
    "Anna Boris Clara David Elena Fedor Greta Hugo Irina Jonas Karin Lev Maria Nils Olga Pavel "
    "Rosa Sergei Tanya Viktor Yulia Zakhar Inga Oskar Lena Mikhail Sofia Arne Daria Emil"
)
LAST_EN = _words(
    "Andersen Belov Carlsen Dahl Egorov Fomin Gusev Hansen Ilyin Johansen Kirov Larsen Mironov "
    "Nilsen Osipov Pedersen Rybakov Sorokin Tikhonov Utkin Vinogradov Wiik Yakovlev Zaitsev "
    "Berg Holm Lund Strand Vik Moen"
)
FIRST_RU = _words(
    "Анна Борис Клара Давид Елена Фёдор Грета Игорь Ирина Яков Карина Лев Мария Нил Ольга "
    "Павел Роза Сергей Татьяна Виктор Юлия Захар Инга Оскар Лена Михаил София Арсений Дарья Эмиль"
)
LAST_RU = _words(
    "Андреев Белов Карпов Дальнов Егоров Фомин Гусев Ганин Ильин Жуков Киров Ларин Миронов Нилов "
    "Осипов Петренко Рыбаков Сорокин Тихонов Уткин Виноградов Вишняков Яковлев Зайцев Бергов "
    "Холмов Лунин Странников Вихров Моисеев"
)
PATRONYMIC_RU = _words(
    "Андреевич Борисович Викторович Дмитриевич Егорович Иванович Львович Павлович Сергеевич Юрьевич"
)
ORG_EN = ("Institute of {f}", "{p} Centre for {f}", "{p} {f} Company", "{p} Society of {f}")
ORG_RU = ("Институт {f}", "{p}ский центр {f}", "Общество {f}")
FIELDS_EN = _words(
    "Oceanography,Geology,Hydrology,Ice Physics,Shipping,Fisheries,Climate,Ecology,"
    "Polar Medicine,Navigation",
    ",",
)
FIELDS_RU = _words(
    "океанологии,геологии,гидрологии,физики льда,судоходства,рыболовства,климата,экологии,"
    "полярной медицины,навигации",
    ",",
)
PLACES_EN = _words("Nord Vest Sol Kalm Bryn Stav Lang Hav Tor Fjell")
PLACES_RU = _words("Норд Вест Сол Калм Брин Став Ланг Хав Тор Фьель")


def _feminine(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ин")) else surname


def _persons_ru() -> Iterator[str]:
    """Russian full names whose patronymic and surname agree with the first name's gender."""
    for patronymic in PATRONYMIC_RU:
        for first in FIRST_RU:
            female = first.endswith(("а", "я"))
            middle = patronymic[:-2] + "на" if female else patronymic
            for last in LAST_RU:
                yield f"{first} {middle} {_feminine(last) if female else last}"


def synthetic_names() -> Iterator[tuple[str, str]]:
    """(name, class) in both scripts, the kinds interleaved, never repeating a name."""
    initials = "ABCDEFGHIJKLMNOPRSTUVWZ"
    persons_en = itertools.chain(
        (f"{f} {m}. {last}" for m in initials for f in FIRST_EN for last in LAST_EN),
        (f"{f} {a}-{b}" for f in FIRST_EN for a in LAST_EN for b in LAST_EN if a != b),
        (f"{f} {m}. {a}-{b}" for m in initials for f in FIRST_EN for a in LAST_EN for b in LAST_EN),
    )
    places = [f"{a}{b.lower()}vik" for a in PLACES_EN for b in PLACES_EN]
    places_ru = [f"{a}{b.lower()}вик" for a in PLACES_RU for b in PLACES_RU]
    orgs_en = (t.format(p=p, f=f) for t in ORG_EN for p in places for f in FIELDS_EN)
    orgs_ru = (t.format(p=p[:-3], f=f) for t in ORG_RU for p in places_ru for f in FIELDS_RU)
    streams = [
        ((n, "Person") for n in persons_en),
        ((n, "Person") for n in _persons_ru()),
        ((n, "Organization") for n in orgs_en),
        ((n, "Organization") for n in orgs_ru),
        ((n, "Geo") for n in places + places_ru),
    ]
    seen: set[str] = set()
    for batch in itertools.zip_longest(*streams):
        for item in batch:
            if item is not None and normalise_label(item[0]) not in seen:
                seen.add(normalise_label(item[0]))
                yield item


def synthetic_triples(iris: RagIris, count: int, exclude: set[str]) -> list[str]:
    """N-Triples of ``count`` entities shaped as to_rdf writes them, each related to the one
    before it (the relation's direct triple and its statement node)."""
    lines: list[str] = []
    previous: str | None = None
    names = (n for n in synthetic_names() if normalise_label(n[0]) not in exclude)
    for number, (name, kind) in enumerate(itertools.islice(names, count)):
        key = entity_key(name)
        e = iris.entity(key).n3()

        def triple(s: str, p: URIRef, o: Node) -> str:
            return f"{s} {p.n3()} {o.n3()} ."

        lines += [
            triple(e, RDF.type, FERAG.Entity),
            triple(e, RDF.type, iris.ontology_term(kind)),
            triple(e, FERAG.key, Literal(key)),
            triple(e, RDFS.label, text_literal(name)),
            triple(e, SKOS.altLabel, text_literal(name.upper())),
            triple(e, FERAG.normalisedLabel, Literal(normalise_label(name))),
            triple(e, DCTERMS.description, text_literal(f"{name} appears in report {number}.")),
            triple(e, PROV.wasDerivedFrom, iris.passage(f"p{number // 4}")),
        ]
        if previous is not None:
            s = iris.relation(f"r{number}").n3()
            lines += [
                f"{e} {FERAG.relatedTo.n3()} {previous} .",
                triple(s, RDF.type, RDF.Statement),
                f"{s} {RDF.subject.n3()} {e} .",
                triple(s, RDF.predicate, FERAG.relatedTo),
                f"{s} {RDF.object.n3()} {previous} .",
                triple(s, DCTERMS.description, Literal("works with")),
                triple(s, FERAG.weight, Literal(1.0)),
            ]
        previous = e
    return lines


def rehomed(graph: Graph, source: RagIris, target: RagIris) -> str:
    """The graph as N-Triples with one RAG's IRIs moved to another's."""
    return graph.serialize(format="nt").replace(source.prefix, target.prefix)


@dataclass
class Production:
    size: int
    rag_id: int
    triples: int
    index_s: float
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return float(statistics.median(self.runs))


def create_rag(stack: Stack, name: str) -> int:
    with stack.session_factory.begin() as db:
        rag = Rag(name=name)
        db.add(rag)
        db.flush()
        return int(rag.id)


def load_production(
    stack: Stack, settings: Settings, size: int, base: Graph, base_iris: RagIris, gold: Gold
) -> Production:
    rag_id = create_rag(stack, f"merge-{size}")
    iris = RagIris(BASE_IRI, str(rag_id))
    seed = rehomed(base, base_iris, iris).splitlines()
    exclude = set(gold.owners())
    lines = seed + synthetic_triples(iris, (size - len(seed)) // TRIPLES_PER_ENTITY, exclude)
    started = time.perf_counter()
    with httpx.Client(timeout=3600) as http:
        for at in range(0, len(lines), LOAD_CHUNK):
            http.post(
                f"{stack.store_url}/store",
                params={"graph": str(iris.graph("prod"))},
                content=("\n".join(lines[at : at + LOAD_CHUNK]) + "\n").encode(),
                headers={"Content-Type": "application/n-triples"},
            ).raise_for_status()
    loaded = time.perf_counter() - started
    store = store_from_settings(settings)
    started = time.perf_counter()
    with stack.session_factory.begin() as db:
        indexed = rebuild_index(db, RagSpace.of(store, BASE_IRI, rag_id))
    index_s = time.perf_counter() - started
    store.close()
    print(
        f"production {len(lines):,} triples loaded in {loaded:.1f} s, "
        f"{indexed:,} entities indexed in {index_s:.1f} s",
        flush=True,
    )
    return Production(size, rag_id, len(lines), index_s)


def time_merge(
    stack: Stack, settings: Settings, production: Production, candidate: Graph, source: RagIris
) -> float:
    iris = RagIris(BASE_IRI, str(production.rag_id))
    graph = Graph().parse(data=rehomed(candidate, source, iris), format="nt")
    store = store_from_settings(settings)
    space = RagSpace.of(store, BASE_IRI, production.rag_id)
    storage = ServiceStorage(stack.session_factory, space, 0, settings.home)
    started = time.perf_counter()
    compute_change_set(graph, storage.production(), iris, MergeConfig())
    spent = time.perf_counter() - started
    store.close()
    return spent


def measure_merge(
    stack: Stack, gold_result: ModelResult, sizes: list[int], runs: int, gold: Gold
) -> list[Production]:
    settings = stack.settings("merge", 0, "http://127.0.0.1:9/v1")
    source = RagIris(BASE_IRI, str(gold_result.run.rag_id))
    base, candidate = gold_result.captured["production"], gold_result.captured["candidate"]
    productions = [load_production(stack, settings, s, base, source, gold) for s in sizes]
    for number in range(1 + runs):  # one warm-up round, unmeasured
        for production in productions:
            spent = time_merge(stack, settings, production, candidate, source)
            if number:
                production.runs.append(spent)
            print(f"  merge into {production.triples:>9,} triples: {spent:.2f} s", flush=True)
    return productions


# --- report ----------------------------------------------------------------------------------


def _optional(value: int | None, per: int) -> str:
    return "not reported" if value is None else f"{value} ({value / per * 1000:.2f})"


def _commit() -> str:
    """The checked-out commit, so a row says which resolution code it measured."""
    repository = Path(__file__).resolve().parents[1]
    return (
        subprocess.run(
            ["git", "-C", str(repository), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        or "unknown"
    )


def _precision(evaluation: Evaluation) -> str:
    return f"{evaluation.precision:.2f}" if evaluation.predicted_pairs else "— (no merge)"


def report(results: list[ModelResult], productions: list[Production], runs: int) -> str:
    info = machine()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tokens = results[0].input_tokens
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} at commit {_commit()} with "
        "`bench/bench_resolution.py` on "
        f"{info['CPU']}, {info['cores (nproc)']} cores, {info['memory']}, Python "
        f"{info['Python']}; load average at the end {load}. The corpus is "
        f"`tests/fixtures/resolution` ({len(load_gold().documents)} documents, "
        f"{len(load_gold().entities)} real entities, {tokens:,} input tokens counted as "
        "whitespace-separated words), processed through the API and a real worker, both "
        "cycles approved. *surplus* = for each real entity, the production entities carrying its "
        "names beyond the first; *wrong merges* = entities carrying names of two real entities; "
        "precision and recall are pairwise over (entity, gold name) items; entities carrying no "
        'gold name (the stand-in\'s partial names such as "Лисогорский", "Фондом", '
        '"Captain Timur Bakirov") are counted apart, not as surplus. Resolution calls are '
        "the model calls that are not indexing, schema or chat prompts; in brackets per 1,000 "
        "input tokens.",
        "",
        "| model | surplus | surplus per real entity | wrong merges | precision | recall "
        "| resolution calls | resolution tokens | merge `llm_calls` | merge `llm_pairs` "
        "| all model calls | corpus time s | entities with no gold name |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r.evaluation
        lines.append(
            f"| {r.name} | {e.surplus} | {e.surplus_share:.2f} | {len(e.wrong_merges)} "
            f"| {_precision(e)} | {e.recall:.2f} "
            f"| {r.resolution_calls} ({r.resolution_calls / tokens * 1000:.2f}) "
            f"| {r.resolution_tokens} ({r.resolution_tokens / tokens * 1000:.1f}) "
            f"| {_optional(r.merge_llm('llm_calls'), tokens)} "
            f"| {_optional(r.merge_llm('llm_pairs'), tokens)} | {r.calls} "
            f"| {r.run.seconds:.0f} | {len(e.unmatched)} |"
        )
    lines += [
        "",
        "Merge step time (`compute_change_set` through `ServiceStorage(...).production()`, "
        "the gold run's second-cycle candidate graph) against production size; production is "
        "the gold run's first-cycle production plus synthetic entities with names in both "
        f"scripts ({TRIPLES_PER_ENTITY} triples each), chat entity index rebuilt. Medians of "
        f"{runs} runs after one warm-up, rotating over the productions.",
        "",
        "| production triples | merge s (median) | index rebuild s |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {p.triples:,} | {p.median:.2f} | {p.index_s:.1f} |" for p in productions]
    if len(productions) > 1:
        low, high = productions[0], productions[-1]
        lines += [
            "",
            f"Largest vs smallest production: {high.median / low.median:.2f}x "
            "(acceptance: at most 1.5x from 10k to 1M triples).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--productions", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="replace the section in this Markdown file")
    parser.add_argument("--home", type=Path, help="scratch directory (default: a temporary one)")
    args = parser.parse_args()
    gold = load_gold()
    with tempfile.TemporaryDirectory(prefix="bench-resolution-") as scratch:
        stack = start_stack(args.home or Path(scratch))
        try:
            results = [
                run_model(
                    stack, "gold model", gold_model(gold, first=(gold_judge(gold),)), 1, gold
                ),
                run_model(stack, "stand-in", standin_model(), 2, gold),
            ]
            for result in results:
                print(f"{result.name}: {result.evaluation.summary()}")
                print(result.evaluation.table())
            productions = measure_merge(stack, results[0], args.productions, args.runs, gold)
        finally:
            stack.stop()
    section = report(results, productions, args.runs)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
