"""Chat context retrieval latency on synthetic production graphs of 10k, 100k and 1M triples.

    .venv/bin/python bench/bench_retrieval.py                          # print the results
    .venv/bin/python bench/bench_retrieval.py --write docs/benchmarks.md

Starts PostgreSQL from its wheel and, one after the other, each store of ``--stores`` (Oxigraph
from its wheel, Apache Jena Fuseki from its jar; ``bench/stores.py``). For each size it
generates a production graph in ferag's RDF model (entities with Latin or Cyrillic names,
aliases and descriptions, relation statements with weights between entities chosen with a
skewed degree distribution, passages in documents in folders, communities with reports),
loads it with Graph Store POSTs, builds the entity index with ``rebuild_index``, then asks
~100 questions (names, pairs of names, Latin/Cyrillic cross-script names, broad questions,
unknown names) and times what a chat turn does before the model: entity linking in
PostgreSQL, context assembly over SPARQL, and prompt building. No model is called.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from results import machine, write_section
from sqlalchemy.orm import Session, sessionmaker
from stores import FUSEKI_HEAP, STORE_KINDS, parse_stores, post_lines, start_store

from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Rag
from ferag.services.entity_index import link_analysed, rebuild_index
from ferag.stack import servers
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from graphrag_lib.retrieve import (
    RetrievalConfig,
    SparqlRunner,
    analyse_question,
    build_messages,
    sparql,
)
from graphrag_lib.retrieve import retrieve_context as assemble_context
from graphrag_lib.retrieve.words import latin_to_cyrillic
from graphrag_lib.vocab import FERAG_NS, RagIris, entity_key, hash_key, normalise_label

ROOT = Path(__file__).resolve().parents[1]
BASE_IRI = "http://bench.ferag.local/"
SECTION_TITLE = "## Chat retrieval"
TRIPLES_PER_ENTITY = 30  # what the generator below writes per entity, on average
LOAD_CHUNK_TRIPLES = 200_000
QUERY_KINDS = (
    "entity_details", "relations_of", "degrees", "passages_of", "reports_of", "top_reports",
    "report_details",
)  # fmt: skip
"""The ``graphrag_lib.retrieve.sparql`` builders context assembly runs, timed one by one."""
WARM_UP_ROUNDS = 4  # the first 5 questions, unmeasured
REPEATS = 3  # each question is asked this many times; its fastest run counts
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CLASSES = ("Person", "Organization", "Location", "Project", "Product")
PROPERTIES = ("worksFor", "locatedIn", "partnerOf", "owns", "leads", "supplies", "relatedTo")
WORDS = (
    "logistics", "engineering", "research", "supply", "contract", "warehouse", "river",
    "software", "budget", "audit", "factory", "harbour", "railway", "energy", "design",
    "customer", "network", "quality", "training", "finance",
)  # fmt: skip
SYLLABLES = (
    "ka", "ro", "vin", "del", "mar", "to", "sa", "len", "bri", "ta", "gor", "nes", "al", "dor",
    "fi", "ra", "mi", "lo", "ver", "an", "tek", "su", "pol", "dan", "ber", "zel", "lu", "kor",
    "vel", "sto", "ran", "mel", "ash", "fen", "tor",
)  # fmt: skip


# --- synthetic graph -----------------------------------------------------------------------------


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: float | int, kind: str) -> str:
    return f'"{value}"^^<{XSD}{kind}>'


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


@dataclass
class Synthetic:
    """A generated graph: N-Triples lines, entity labels, and which entities are hubs."""

    lines: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    cyrillic: list[bool] = field(default_factory=list)

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o} .")


def _names(rng: random.Random, count: int) -> tuple[list[str], list[bool]]:
    """Unique two-word names, a third of them in Cyrillic letters."""
    names: list[str] = []
    scripts: list[bool] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{_word(rng, 2)} {_word(rng, rng.choice((2, 3)))}"
        cyrillic = rng.random() < 0.33
        if cyrillic:
            name = " ".join(latin_to_cyrillic(w.lower()).capitalize() for w in name.split())
        key = normalise_label(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
            scripts.append(cyrillic)
    return names, scripts


def _documents_and_passages(
    out: Synthetic, rng: random.Random, iris: RagIris, passages: int, labels: list[str]
) -> list[str]:
    passage_iris = []
    for number in range(passages):
        doc = iris.document(f"doc-{number // 10}")
        if number % 10 == 0:
            out.add(str(doc), f"{RDF}type", f"<{FERAG_NS}Document>")
            folder = f"folder-{number // 300}/sub-{number // 60}"
            out.add(str(doc), f"{DCT}title", _literal(f"Document {number // 10}"))
            out.add(str(doc), f"{FERAG_NS}path", _literal(f"{folder}/doc-{number // 10}.txt"))
            out.add(str(doc), f"{FERAG_NS}folderPath", _literal(folder))
        passage = str(iris.passage(f"p-{number}"))
        mentioned = rng.sample(labels, 4)
        text = " ".join(
            f"{name} {rng.choice(WORDS)} {rng.choice(WORDS)} with {other}."
            for name, other in zip(mentioned, mentioned[1:] + mentioned[:1], strict=True)
        )
        out.add(passage, f"{RDF}type", f"<{FERAG_NS}Passage>")
        out.add(passage, f"{FERAG_NS}text", _literal(text))
        out.add(passage, f"{FERAG_NS}order", _typed(number % 10, "integer"))
        out.add(passage, f"{FERAG_NS}tokenCount", _typed(len(text.split()), "integer"))
        out.add(passage, f"{FERAG_NS}inDocument", f"<{doc}>")
        passage_iris.append(passage)
    return passage_iris


def _entities(out: Synthetic, rng: random.Random, iris: RagIris, passages: list[str]) -> list[str]:
    entity_iris = []
    for label, is_cyrillic in zip(out.labels, out.cyrillic, strict=True):
        key = entity_key(label)
        entity = str(iris.entity(key))
        kind = rng.choice(CLASSES)
        out.add(entity, f"{RDF}type", f"<{FERAG_NS}Entity>")
        out.add(entity, f"{RDF}type", f"<{iris.ontology_term(kind)}>")
        out.add(entity, f"{RDFS}label", _literal(label, "ru" if is_cyrillic else None))
        out.add(entity, f"{FERAG_NS}key", _literal(key))
        out.add(entity, f"{FERAG_NS}normalisedLabel", _literal(normalise_label(label)))
        if rng.random() < 0.2:
            alias = label.split()[-1] + " " + _word(rng, 1)
            out.add(entity, f"{SKOS}altLabel", _literal(alias))
        words = " ".join(rng.sample(WORDS, 4))
        out.add(entity, f"{DCT}description", _literal(f"{label} is a {kind.lower()} ({words})."))
        for passage in rng.sample(passages, 2):
            out.add(entity, f"{PROV}wasDerivedFrom", f"<{passage}>")
        entity_iris.append(entity)
    return entity_iris


def _relations(
    out: Synthetic, rng: random.Random, iris: RagIris, entities: list[str], passages: list[str]
) -> None:
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(entities))]  # a few hubs
    for number in range(2 * len(entities)):
        s, o = rng.choices(entities, weights, k=2)
        if s == o:
            continue
        prop = str(iris.ontology_term(rng.choice(PROPERTIES)))
        statement = str(iris.relation(hash_key(s, prop, o, str(number), length=16)))
        out.add(s, prop, f"<{o}>")
        out.add(statement, f"{RDF}type", f"<{RDF}Statement>")
        out.add(statement, f"{RDF}type", f"<{FERAG_NS}Relation>")
        out.add(statement, f"{RDF}subject", f"<{s}>")
        out.add(statement, f"{RDF}predicate", f"<{prop}>")
        out.add(statement, f"{RDF}object", f"<{o}>")
        out.add(statement, f"{DCT}description", _literal(f"{rng.choice(WORDS)} link"))
        out.add(statement, f"{FERAG_NS}weight", _typed(float(rng.randint(1, 10)), "double"))
        out.add(statement, f"{PROV}wasDerivedFrom", f"<{rng.choice(passages)}>")


def _communities(out: Synthetic, rng: random.Random, iris: RagIris, entities: list[str]) -> None:
    for number in range(max(1, len(entities) // 20)):
        key = f"c-{number}"
        community, report = str(iris.community(key)), str(iris.report(key))
        out.add(community, f"{RDF}type", f"<{FERAG_NS}Community>")
        out.add(community, f"{FERAG_NS}level", _typed(number % 3, "integer"))
        for member in rng.sample(entities, min(20, len(entities))):
            out.add(community, f"{FERAG_NS}member", f"<{member}>")
        out.add(report, f"{RDF}type", f"<{FERAG_NS}CommunityReport>")
        out.add(report, f"{FERAG_NS}reportOf", f"<{community}>")
        out.add(report, f"{DCT}title", _literal(f"Community {number}"))
        summary = " ".join(rng.sample(WORDS, 8))
        out.add(report, f"{FERAG_NS}summary", _literal(f"This community is about {summary}."))
        out.add(report, f"{FERAG_NS}rank", _typed(float(rng.randint(1, 10)), "double"))


def generate(iris: RagIris, triples: int, seed: int) -> Synthetic:
    rng = random.Random(seed)
    count = max(20, triples // TRIPLES_PER_ENTITY)
    out = Synthetic()
    out.labels, out.cyrillic = _names(rng, count)
    passages = _documents_and_passages(out, rng, iris, max(10, count // 2), out.labels)
    for kind in CLASSES:
        out.add(
            str(iris.ontology_term(kind)), f"{RDF}type", "<http://www.w3.org/2002/07/owl#Class>"
        )
    for prop in PROPERTIES:
        term = str(iris.ontology_term(prop))
        out.add(term, f"{RDF}type", "<http://www.w3.org/2002/07/owl#ObjectProperty>")
        label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", prop).lower()
        out.add(term, f"{RDFS}label", _literal(label, "en"))
    entities = _entities(out, rng, iris, passages)
    _relations(out, rng, iris, entities, passages)
    _communities(out, rng, iris, entities)
    return out


# --- questions and timing -------------------------------------------------------------------------


def questions(data: Synthetic, rng: random.Random, count: int) -> Iterator[str]:
    hubs = data.labels[: max(5, len(data.labels) // 100)]  # the most connected (see weights)
    for number in range(count):
        kind = number % 20
        label = rng.choice(hubs if number % 7 == 0 else data.labels)
        if kind < 8:
            yield f"What does {label} do?"
        elif kind < 12:
            yield f"How is {label} related to {rng.choice(data.labels)}?"
        elif kind < 15:  # the other script
            words = label.split()
            if re.search(r"[a-z]", label.lower()):
                yield "Где работает " + " ".join(latin_to_cyrillic(w.lower()) for w in words) + "?"
            else:
                yield "Who is " + " ".join(_latin(w) for w in words) + "?"
        elif kind < 18:
            yield rng.choice(("What are the main themes?", "Give an overview of the documents"))
        else:
            yield f"Who is Zorblax {_word(rng, 3)}?"


def _latin(word: str) -> str:
    from graphrag_lib.vocab import transliterate

    return transliterate(word)


class QueryClock:
    """Times each SPARQL query of context assembly under the name of the ``sparql`` builder
    that wrote it (``entity_details``, ``relations_of``, …), to tell which kind is slow."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.spent: dict[str, float] = {}

    @contextmanager
    def naming(self) -> Iterator[None]:
        """Remember, while the block runs, which builder made each query."""
        originals = {name: getattr(sparql, name) for name in QUERY_KINDS}

        def named(name: str, build: Callable[..., str]) -> Callable[..., str]:
            def wrapper(*args: Any, **kwargs: Any) -> str:
                query = build(*args, **kwargs)
                self.kinds[query] = name
                return query

            return wrapper

        for name, build in originals.items():
            setattr(sparql, name, named(name, build))
        try:
            yield
        finally:
            for name, build in originals.items():
                setattr(sparql, name, build)

    def runner(self, space: RagSpace) -> SparqlRunner:
        def run(query: str) -> list[dict[str, Any]]:
            started = time.perf_counter()
            rows = space.select(query)
            kind = self.kinds.get(query, "other")
            self.spent[kind] = self.spent.get(kind, 0.0) + (time.perf_counter() - started) * 1000
            return rows

        return run

    def take(self) -> dict[str, float]:
        """Milliseconds per query kind since the last ``take``."""
        spent, self.spent = self.spent, {}
        self.kinds.clear()
        return spent


@dataclass
class Timing:
    link_ms: float
    context_ms: float
    prompt_ms: float
    entities: int
    passages: int
    queries: int
    by_kind: dict[str, float]  # SPARQL milliseconds per query kind

    @property
    def total_ms(self) -> float:
        return self.link_ms + self.context_ms + self.prompt_ms


def time_question(db: Session, space: RagSpace, clock: QueryClock, question: str) -> Timing:
    started = time.perf_counter()
    analysis = analyse_question(question)
    linked = link_analysed(db, space.rag_id, analysis)
    linked_at = time.perf_counter()
    context = assemble_context(clock.runner(space), space.prod, analysis, linked, RetrievalConfig())
    context_at = time.perf_counter()
    build_messages(question, context)
    done = time.perf_counter()
    return Timing(
        (linked_at - started) * 1000,
        (context_at - linked_at) * 1000,
        (done - context_at) * 1000,
        len(linked),
        len(context.passages),
        len(context.queries),
        clock.take(),
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Result:
    store: str
    triples: int
    entities: int
    load_s: float
    index_s: float
    runs: list[list[Timing]]  # per question, every run

    @property
    def timings(self) -> list[Timing]:
        """Per question, its fastest run."""
        return [min(runs, key=lambda t: t.total_ms) for runs in self.runs]

    def p(self, attr: str, q: float) -> float:
        return percentile([getattr(t, attr) for t in self.timings], q)

    def p_all_runs(self, q: float) -> float:
        return percentile([t.total_ms for runs in self.runs for t in runs], q)

    def p_kind(self, kind: str, q: float) -> tuple[int, float]:
        """How many questions ran queries of ``kind``, and the percentile of their time."""
        spent = [t.by_kind[kind] for t in self.timings if kind in t.by_kind]
        return len(spent), percentile(spent, q) if spent else 0.0


def run_size(
    session_factory: sessionmaker[Session], store: TripleStore, kind: str, rag_id: int,
    triples: int, n_questions: int, seed: int,
) -> Result:  # fmt: skip
    iris = RagIris(BASE_IRI, str(rag_id))
    data = generate(iris, triples, seed)  # the same graph and questions on every store
    print(f"{len(data.lines):,} triples generated", file=sys.stderr)
    space = RagSpace(store, rag_id, iris)
    store.create_space(rag_id)  # Fuseki: the RAG's dataset; Oxigraph: nothing
    load_s = post_lines(store, rag_id, space.prod, data.lines, LOAD_CHUNK_TRIPLES)
    clock = QueryClock()
    with session_factory() as db, clock.naming():
        db.add(Rag(id=rag_id, name=f"bench {kind} {triples}"))
        db.commit()
        started = time.perf_counter()
        indexed = rebuild_index(db, space)
        db.commit()
        index_s = time.perf_counter() - started
        rng = random.Random(1000 + seed)
        asked = list(questions(data, rng, n_questions + 5))
        # Warm caches and connections, and let the JVM compile Fuseki's hot paths: with one
        # round, Fuseki's p95 at 10k triples was 2x its p95 at 100k.
        for question in asked[:5] * WARM_UP_ROUNDS:
            time_question(db, space, clock, question)
        runs = [[time_question(db, space, clock, q) for _ in range(REPEATS)] for q in asked[5:]]
    return Result(kind, len(data.lines), indexed, load_s, index_s, runs)


def run_store(
    session_factory: sessionmaker[Session], kind: str, home: Path, sizes: list[int],
    n_questions: int, fuseki_heap: str,
) -> tuple[list[Result], float, str]:  # fmt: skip
    """Every size on a fresh ``kind`` store; the results, the server's memory at the end, and
    its version."""
    bench_store = start_store(kind, home, BASE_IRI, fuseki_heap)
    store = bench_store.client(timeout=600)
    try:
        results = []
        for number, size in enumerate(sizes, start=1):
            # RAG ids differ between stores: they share one PostgreSQL entity index.
            rag_id = STORE_KINDS.index(kind) * 100 + number
            result = run_size(session_factory, store, kind, rag_id, size, n_questions, number)
            results.append(result)
            print(
                f"{kind} {result.triples:>9,} triples: load {result.load_s:.1f} s, index "
                f"{result.index_s:.1f} s, p50 {result.p('total_ms', 0.5):.1f} ms, "
                f"p95 {result.p('total_ms', 0.95):.1f} ms",
                file=sys.stderr,
            )
        return results, bench_store.rss_mib(), bench_store.version
    finally:
        store.close()
        bench_store.stop()


# --- report --------------------------------------------------------------------------------------


def render(
    results: list[Result], memory: dict[str, float], versions: dict[str, str], fuseki_heap: str
) -> str:
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `bench/bench_retrieval.py`: what a chat "
        "turn does before calling the model — entity linking in PostgreSQL (`link_entities`), "
        "context assembly over SPARQL on the production graph (`retrieve_context`: entity "
        "details, 1-hop relations, hop-2 from the best neighbours, neighbour degrees, passages "
        "and their text, community reports for broad questions) and prompt building — on "
        "synthetic graphs in ferag's RDF model (≈1/3 Cyrillic names, skewed degrees with hubs; "
        "≈30 triples per entity). Questions: names, pairs of names, names in the other script, "
        "broad questions and unknown names, one after another from one client; PostgreSQL from "
        "its wheel on the same machine, default `RetrievalConfig` (3,000-token budget). Both "
        "stores in one run, one after the other, with the same graphs and questions: Oxigraph "
        "from its wheel (every RAG in one dataset, as in local mode) and Apache Jena Fuseki "
        f"(one TDB2 dataset per RAG, as in production; JVM `-Xmx{fuseki_heap}`, basic auth on "
        f"every request). After {5 * WARM_UP_ROUNDS} unmeasured warm-up questions, each "
        f"question is asked {REPEATS} times and its fastest run counts, so "
        "that other processes on this shared machine (see the load average) do not stand for "
        "the query's own cost; percentiles are over questions. The last column is the p95 over "
        "every run, interference included. `load s` is Graph Store POSTs of 200k-triple "
        "N-Triples chunks (each one transaction) into a store that already holds the smaller "
        "graphs.",
        "",
        "| store | triples | entities | load s | load triples/s | index s | questions | p50 ms "
        "| p95 ms | max ms | link p95 ms | context p95 ms | SPARQL queries (median) "
        "| p95 ms, every run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.store} | {r.triples:,} | {r.entities:,} | {r.load_s:.1f} | "
            f"{r.triples / r.load_s:,.0f} | {r.index_s:.1f} | "
            f"{len(r.timings)} | {r.p('total_ms', 0.5):.1f} | {r.p('total_ms', 0.95):.1f} | "
            f"{max(t.total_ms for t in r.timings):.1f} | {r.p('link_ms', 0.95):.1f} | "
            f"{r.p('context_ms', 0.95):.1f} | "
            f"{statistics.median(t.queries for t in r.timings):.0f} | "
            f"{r.p_all_runs(0.95):.1f} |"
        )
    lines += [*by_kind(results), "", "Machine:", ""]
    end_load = {"load average (1 min) at the end": f"{os.getloadavg()[0]:.2f}"}
    rss = {f"{kind} resident memory at the end": f"{mib:,.0f} MiB" for kind, mib in memory.items()}
    facts = {**machine(), **versions, **rss, **end_load}
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += [
        "",
        "What keeps it flat (see `docs/chat.md` §8): linking never scans labels in SPARQL (GIN "
        "indexes with `fastupdate` off: a pending list after a rebuild made linking 2-3 times "
        "slower until vacuumed, and `ANALYZE` after a rebuild, without which PostgreSQL scanned"
        " the RAG's rows); every SPARQL query is bounded by the entities asked about, a hub's "
        "relations sampled (≤ 200 weighed per entity; before, a hub with 3,600 statements took "
        "≈ 250 ms); `ORDER BY` on numbers only (an IRI tie-breaker cost 30 ms on the top "
        "reports at 1M); passages and their text in one query.",
        "",
        FUSEKI_FINDINGS,
        "",
        "Target: p95 ≤ 100 ms at 1M triples, on both stores. Reproduce with "
        "`.venv/bin/python bench/bench_retrieval.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


FUSEKI_FINDINGS = (
    "On Fuseki no query kind is pathological: ARQ plans each as index nested loops "
    "(`sequence` and `conditional` in `arq.qparse --print=opt`), and what Fuseki adds to a "
    "query kind is a few milliseconds whatever the query reads (at 1M triples on 2026-12-04: "
    "+3 ms at the median for `entity_details` of a few entities, +7 ms for the two "
    "`relations_of` queries that weigh up to 1,200 statements), so it lies in each request, "
    "not in a query's shape. A request that reads nothing costs Fuseki about 2 ms at best and "
    "10 to 15 ms at the median when the machine is loaded (Oxigraph 0.6 and 1 ms), and a chat "
    "turn sends 5 to 7. Tried and not adopted (at 1M triples, 40 sets of 60 ends, best of 3): "
    "counting each end's degree over a `LIMIT 500` sample of its statements, as "
    "`relations_of` samples them, took 68 ms at the median on Fuseki against 36 ms for the "
    "grouped count, since ARQ runs one subquery per end (the hubs' counts, at most 1,543 "
    "statements, were not what cost); sending queries as `application/sparql-query` bodies "
    "instead of forms saved 1 to 2 ms a request on both stores at 100k triples, within "
    "Fuseki's noise. What would cut Fuseki's time is fewer requests per turn: entity details "
    "and hop-1 relations depend only on the linked entities and could travel as one `UNION` "
    "query."
)


def by_kind(results: list[Result]) -> list[str]:
    """Per store, at the largest size: the time of each kind of SPARQL query per question."""
    largest = max(r.triples for r in results)
    rows = [r for r in results if r.triples == largest]
    lines = [
        "",
        f"SPARQL time per question by query kind at {largest:,} triples (ms; a question's "
        "queries of one kind summed; over the questions that ran that kind, fastest run):",
        "",
        "| query | "
        + " | ".join(f"{r.store} p50 | {r.store} p95" for r in rows)
        + " | questions |",
        "|---|" + "---:|" * (2 * len(rows) + 1),
    ]
    for kind in [*QUERY_KINDS, "other"]:
        cells = [(r.p_kind(kind, 0.5), r.p_kind(kind, 0.95)) for r in rows]
        if not any(count for (count, _), _ in cells):
            continue
        shown = " | ".join(f"{p50:.1f} | {p95:.1f}" for (_, p50), (_, p95) in cells)
        lines.append(f"| `{kind}` | {shown} | {cells[0][0][0]} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Triples per graph.")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--stores", type=parse_stores, default=list(STORE_KINDS))
    parser.add_argument("--fuseki-heap", default=FUSEKI_HEAP, help="the JVM's -Xmx")
    parser.add_argument("--write", type=Path, help="Markdown file to record the results in.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    load_at_start = f"{os.getloadavg()[0]:.2f}"
    results: list[Result] = []
    memory: dict[str, float] = {}
    versions: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp:
        home = Path(tmp)
        postgres = servers.start_postgres(home / "postgres", home / "logs" / "postgres.log")
        try:
            database_url = servers.ensure_database(postgres.url, "ferag_bench")
            migrate.upgrade(database_url)
            engine = make_engine(database_url)
            factory = make_session_factory(engine)
            with engine.connect() as conn:
                versions["PostgreSQL"] = str(conn.exec_driver_sql("SHOW server_version").scalar())
            versions["load average (1 min) at the start"] = load_at_start
            for kind in args.stores:
                found, memory[kind], versions[kind] = run_store(
                    factory, kind, home, sizes, args.questions, args.fuseki_heap
                )
                results += found
            engine.dispose()
        finally:
            postgres.stop()
    section = render(results, memory, versions, args.fuseki_heap)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
