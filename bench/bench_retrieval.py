"""Chat context retrieval latency on synthetic production graphs of 10k, 100k and 1M triples.

    .venv/bin/python bench/bench_retrieval.py                          # print the results
    .venv/bin/python bench/bench_retrieval.py --write docs/benchmarks.md

Starts PostgreSQL and Oxigraph from their wheels (``ferag.stack.servers``). For each size it
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from results import machine, write_section
from sqlalchemy.orm import Session

from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Rag
from ferag.services.entity_index import link_analysed, rebuild_index, store_runner
from ferag.stack import servers
from ferag.store.client import TripleStore, make_store
from ferag.store.space import RagSpace
from graphrag_lib.retrieve import RetrievalConfig, analyse_question, build_messages
from graphrag_lib.retrieve import retrieve_context as assemble_context
from graphrag_lib.retrieve.words import latin_to_cyrillic
from graphrag_lib.vocab import FERAG_NS, RagIris, entity_key, hash_key, normalise_label

ROOT = Path(__file__).resolve().parents[1]
BASE_IRI = "http://bench.ferag.local/"
SECTION_TITLE = "## Chat retrieval"
TRIPLES_PER_ENTITY = 30  # what the generator below writes per entity, on average
LOAD_CHUNK_TRIPLES = 200_000
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


def load(store_url: str, graph: str, lines: list[str]) -> float:
    """Graph Store POST in chunks; returns the seconds it took."""
    started = time.perf_counter()
    with httpx.Client(timeout=600) as http:
        for start in range(0, len(lines), LOAD_CHUNK_TRIPLES):
            body = "\n".join(lines[start : start + LOAD_CHUNK_TRIPLES]).encode()
            response = http.post(
                f"{store_url}/store",
                params={"graph": graph},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            response.raise_for_status()
    return time.perf_counter() - started


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


@dataclass
class Timing:
    link_ms: float
    context_ms: float
    prompt_ms: float
    entities: int
    passages: int
    queries: int

    @property
    def total_ms(self) -> float:
        return self.link_ms + self.context_ms + self.prompt_ms


def time_question(
    db: Session, store: TripleStore, rag_id: int, iris: RagIris, question: str
) -> Timing:
    started = time.perf_counter()
    analysis = analyse_question(question)
    linked = link_analysed(db, rag_id, analysis)
    linked_at = time.perf_counter()
    space = RagSpace(store, rag_id, iris)
    context = assemble_context(store_runner(space), space.prod, analysis, linked, RetrievalConfig())
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
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Result:
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


def run_size(
    session_factory: object, store: TripleStore, store_url: str, rag_id: int, triples: int,
    n_questions: int,
) -> Result:  # fmt: skip
    iris = RagIris(BASE_IRI, str(rag_id))
    data = generate(iris, triples, seed=rag_id)
    print(f"{len(data.lines):,} triples generated", file=sys.stderr)
    space = RagSpace(store, rag_id, iris)
    load_s = load(store_url, space.prod, data.lines)
    assert callable(session_factory)
    with session_factory() as db:
        db.add(Rag(id=rag_id, name=f"bench {triples}"))
        db.commit()
        started = time.perf_counter()
        indexed = rebuild_index(db, space)
        db.commit()
        index_s = time.perf_counter() - started
        rng = random.Random(1000 + rag_id)
        asked = list(questions(data, rng, n_questions + 5))
        for question in asked[:5]:  # warm caches and connections
            time_question(db, store, rag_id, iris, question)
        runs = [
            [time_question(db, store, rag_id, iris, q) for _ in range(REPEATS)] for q in asked[5:]
        ]
    return Result(len(data.lines), indexed, load_s, index_s, runs)


# --- report --------------------------------------------------------------------------------------


def render(results: list[Result], versions: dict[str, str]) -> str:
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
        "broad questions and unknown names, one after another from one client; PostgreSQL and "
        "Oxigraph from the wheels on the same machine, default `RetrievalConfig` (3,000-token "
        f"budget). Each question is asked {REPEATS} times and its fastest run counts, so that "
        "other processes on this shared machine (see the load average) do not stand for the "
        "query's own cost; percentiles are over questions. The last column is the p95 over "
        "every run, interference included. `load s` is Graph Store POSTs of 200k-triple "
        "N-Triples chunks into a store that already holds the smaller graphs.",
        "",
        "| triples | entities | load s | index s | questions | p50 ms | p95 ms | max ms "
        "| link p95 ms | context p95 ms | SPARQL queries (median) | p95 ms, every run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.triples:,} | {r.entities:,} | {r.load_s:.1f} | {r.index_s:.1f} | "
            f"{len(r.timings)} | {r.p('total_ms', 0.5):.1f} | {r.p('total_ms', 0.95):.1f} | "
            f"{max(t.total_ms for t in r.timings):.1f} | {r.p('link_ms', 0.95):.1f} | "
            f"{r.p('context_ms', 0.95):.1f} | "
            f"{statistics.median(t.queries for t in r.timings):.0f} | "
            f"{r.p_all_runs(0.95):.1f} |"
        )
    lines += ["", "Machine:", ""]
    end_load = {"load average (1 min) at the end": f"{os.getloadavg()[0]:.2f}"}
    lines += [f"- {key}: {value}" for key, value in {**machine(), **versions, **end_load}.items()]
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
        "Target: p95 ≤ 100 ms at 1M triples. Reproduce with "
        "`.venv/bin/python bench/bench_retrieval.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Triples per graph.")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--write", type=Path, help="Markdown file to record the results in.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    load_at_start = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp:
        home = Path(tmp)
        postgres = servers.start_postgres(home / "postgres", home / "logs" / "postgres.log")
        oxigraph = servers.start_oxigraph(home / "oxigraph", home / "logs" / "oxigraph.log")
        try:
            database_url = servers.ensure_database(postgres.url, "ferag_bench")
            migrate.upgrade(database_url)
            engine = make_engine(database_url)
            factory = make_session_factory(engine)
            store = make_store("oxigraph", oxigraph.url, BASE_IRI, timeout=600)
            with engine.connect() as conn:
                pg_version = str(conn.exec_driver_sql("SHOW server_version").scalar())
            versions = {
                "PostgreSQL": pg_version,
                "Oxigraph": _oxigraph_version(),
                "load average (1 min) at the start": load_at_start,
            }
            results = []
            for rag_id, size in enumerate(sizes, start=1):
                result = run_size(factory, store, oxigraph.url, rag_id, size, args.questions)
                results.append(result)
                print(
                    f"{result.triples:>9,} triples: load {result.load_s:.1f} s, index "
                    f"{result.index_s:.1f} s, p50 {result.p('total_ms', 0.5):.1f} ms, "
                    f"p95 {result.p('total_ms', 0.95):.1f} ms",
                    file=sys.stderr,
                )
            store.close()
            engine.dispose()
        finally:
            oxigraph.stop()
            postgres.stop()
    section = render(results, versions)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


def _oxigraph_version() -> str:
    from importlib.metadata import version

    return f"server from the oxigraph {version('oxigraph')} wheel"


if __name__ == "__main__":
    main()
