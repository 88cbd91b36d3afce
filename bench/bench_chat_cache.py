"""Chat latency over HTTP with and without the answer cache, on a production of 1M triples.

    .venv/bin/python bench/bench_chat_cache.py                          # print the results
    .venv/bin/python bench/bench_chat_cache.py --write docs/benchmarks.md

Starts PostgreSQL, Redis, the offline model stand-in and, one after the other, each store of
``--stores``; for each store, two API processes on the same servers: one with the answer cache
off (``FERAG_CHAT_CACHE_TTL_S=0``), one with it on. A RAG created through the API gets the
synthetic production graph of ``bench_retrieval`` (entities with Latin or Cyrillic names,
relations, passages, communities) and its entity index. Then ~100 distinct questions of
``bench_retrieval``'s mix are asked with ``POST /rags/{id}/chat``, timed by the client (the
whole turn: linking, retrieval, the stand-in's answer, recording the turn):

- **no cache**: the cache-off API;
- **first ask**: the cache-on API, first round (misses that write the cache);
- **cached**: the cache-on API, second round (identical questions, answered from Redis).

Each API is warmed up first with 50 other questions (its connections, the store's caches).

Questions about unknown names get "don't know" without a model and are never cached; the
report counts how many answers came from the cache.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import api_server
import httpx
from bench_retrieval import BASE_IRI, LOAD_CHUNK_TRIPLES, generate, percentile, questions
from results import machine, write_section
from stores import STORE_KINDS, parse_stores, post_lines, start_store

from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.llm.standin import create_app as create_standin
from ferag.services.entity_index import rebuild_index
from ferag.stack import servers
from ferag.stack.threaded import ThreadedServer
from ferag.store.space import RagSpace
from graphrag_lib.vocab import RagIris

SECTION_TITLE = "## Chat with the answer cache"
JWT_SECRET = "bench-" + uuid.uuid4().hex
PASSWORD = "bench " + uuid.uuid4().hex
WARM_UP_QUESTIONS = 50  # the JVM compiles Fuseki's hot paths meanwhile


@dataclass
class Round:
    name: str
    seconds: list[float]
    cached: int

    def p(self, q: float) -> float:
        return percentile([s * 1000 for s in self.seconds], q)


def login(client: httpx.Client) -> dict[str, str]:
    account = {"email": "bench@example.com", "password": PASSWORD}
    client.post("/auth/register", json=account)  # the second API finds it registered
    token = client.post("/auth/login", json=account).json()["access_token"]
    return {"authorization": f"Bearer {token}"}


def ask_all(api_url: str, rag_id: int, asked: list[str], name: str) -> Round:
    seconds: list[float] = []
    cached = 0
    with httpx.Client(base_url=api_url, timeout=120) as client:
        headers = login(client)
        for question in asked:
            started = time.perf_counter()
            response = client.post(
                f"/rags/{rag_id}/chat", json={"question": question}, headers=headers
            )
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            cached += bool(response.json()["cached"])
    return Round(name, seconds, cached)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def run_store(
    kind: str, home: Path, env: dict[str, str], database_url: str, triples: int, count: int
) -> tuple[list[Round], float]:
    """The three rounds on a fresh ``kind`` store; and its load time."""
    bench_store = start_store(kind, home, BASE_IRI)
    store = bench_store.client(timeout=600)
    store_env = {
        "FERAG_STORE_KIND": kind,
        "FERAG_STORE_URL": bench_store.server.url,
        **{k: v for k, v in bench_store.server.env.items() if k.startswith("FERAG_STORE_")},
    }
    apis: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for ttl in ("0", "3600"):
            api, url = api_server.start_api(
                home / f"api-{kind}-{ttl}", {**env, **store_env, "FERAG_CHAT_CACHE_TTL_S": ttl}
            )
            apis.append(api)
            urls.append(url)
        with httpx.Client(base_url=urls[0], timeout=120) as client:
            response = client.post("/rags", json={"name": f"bench {kind}"}, headers=login(client))
            response.raise_for_status()
            rag_id = int(response.json()["id"])
        iris = RagIris(BASE_IRI, str(rag_id))
        data = generate(iris, triples, seed=1)
        space = RagSpace(store, rag_id, iris)
        load_s = post_lines(store, rag_id, space.prod, data.lines, LOAD_CHUNK_TRIPLES)
        engine = make_engine(database_url)
        with make_session_factory(engine)() as db:
            rebuild_index(db, space)
            db.commit()
        engine.dispose()
        print(f"{kind}: {len(data.lines):,} triples loaded in {load_s:.0f} s", file=sys.stderr)
        bench_store.wait_until_idle()
        distinct = list(dict.fromkeys(questions(data, random.Random(7), count * 3)))
        asked, warm_up = distinct[:count], distinct[count : count + WARM_UP_QUESTIONS]
        for url in urls:  # each API process's connections and caches, on other questions
            ask_all(url, rag_id, warm_up, "warm-up")
        rounds = [
            ask_all(urls[0], rag_id, asked, "no cache"),
            ask_all(urls[1], rag_id, asked, "first ask"),
            ask_all(urls[1], rag_id, asked, "cached"),
        ]
        for found in rounds:
            print(f"{kind} {found.name}: p50 {found.p(0.5):.1f} ms", file=sys.stderr)
        return rounds, load_s
    finally:
        for api in apis:
            stop(api)
        store.close()
        bench_store.stop()


def render(results: dict[str, list[Round]], triples: int, load_avg: str) -> str:
    lines = [
        f"{SECTION_TITLE}",
        "",
        f"Recorded {datetime.now(UTC):%Y-%m-%d} by `bench/bench_chat_cache.py`: one RAG of "
        f"{triples:,} triples per store, {len(next(iter(results.values()))[0].seconds)} "
        "distinct questions of the retrieval benchmark's mix, each a whole "
        "`POST /rags/{id}/chat` turn timed by the client (the offline stand-in answers in "
        f"milliseconds). Load average (1 min) at the start: {load_avg}.",
        "",
        "| store | round | p50 ms | p95 ms | median ratio to no cache | from the cache |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for kind, rounds in results.items():
        base = statistics.median(rounds[0].seconds)
        for found in rounds:
            ratio = statistics.median(found.seconds) / base
            lines.append(
                f"| {kind} | {found.name} | {found.p(0.5):.1f} | {found.p(0.95):.1f} | "
                f"{ratio:.2f}x | {found.cached}/{len(found.seconds)} |"
            )
    lines += [
        "",
        "The rounds ran in the order shown, on the same questions: the store's own caches are "
        "warmer for the later ones. A cached turn still authenticates, counts against the rate "
        "limit and records the turn in PostgreSQL; it skips linking, retrieval and the model. "
        'Questions about unknown names are answered "don\'t know" without a model and are not '
        "cached.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--stores", type=parse_stores, default=list(STORE_KINDS))
    parser.add_argument("--write", type=Path, help="Markdown file to record the results in.")
    args = parser.parse_args()
    load_avg = f"{os.getloadavg()[0]:.2f}"
    results: dict[str, list[Round]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp,
        ThreadedServer(create_standin()) as standin,
    ):
        home = Path(tmp)
        logs = home / "logs"
        postgres = servers.start_postgres(home / "postgres", logs / "postgres.log")
        redis = servers.start_redis(home / "redis", logs / "redis.log")
        try:
            database_url = servers.ensure_database(postgres.url, "ferag_bench")
            migrate.upgrade(database_url)
            env = {
                "FERAG_DATABASE_URL": database_url,
                "FERAG_REDIS_URL": redis.url,
                "FERAG_LLM_BASE_URL": f"{standin.url}/v1",
                "FERAG_JWT_SECRET": JWT_SECRET,
                "FERAG_BASE_IRI": BASE_IRI,
                "FERAG_CHAT_RATE_LIMIT": "0",
            }
            for kind in args.stores:
                results[kind], _ = run_store(
                    kind, home, env, database_url, args.triples, args.questions
                )
        finally:
            redis.stop()
            postgres.stop()
    section = render(results, args.triples, load_avg)
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


if __name__ == "__main__":
    main()
