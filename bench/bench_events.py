"""Publish→client latency of task events over WebSockets, with 1, 100 and 1,000 subscribers.

    .venv/bin/python bench/bench_events.py                      # print the results
    .venv/bin/python bench/bench_events.py --write docs/benchmarks.md

Each (set-up, compression, N) runs ``--repeat`` times on a fresh task; the table gives the median
over those runs of each run's p50 and p99, and the range of the p99s.

Starts PostgreSQL and Redis from their wheels (``ferag.stack.servers``) and the API under uvicorn
in a child process, as ``ferag up`` does. For each subscriber count N it opens N sockets on one
task (spread over a few client processes, so one client event loop does not serialise them all),
then publishes events ``--spacing-ms`` apart with ``publish_event`` (database commit, then Redis),
each carrying the wall-clock time just before that call. Latency is receipt time minus that
time, for every socket and event: it includes the commit, Redis, the API's fan-out and the
client's own reading. Each socket must receive every event exactly once, in order.

The default set-ups are the one ``ferag up`` runs (two API processes, no compression) and
uvicorn's defaults (one process; ``permessage-deflate`` accepted). ``--alongside 10`` measures
again with a cycle's indexing running on the same machine at nice 10, the worker's default
priority (``bench/indexing_load.py``); ``--alongside 0`` at the API's own priority.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import api_server
from indexing_load import IndexingLoad
from redis import Redis
from results import machine, write_section

from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Member, Rag, Role, User
from ferag.events import history
from ferag.events.publisher import publish_event
from ferag.security import create_access_token
from ferag.stack import servers

JWT_SECRET = "bench-" + uuid.uuid4().hex
SOCKETS_PER_CLIENT_PROCESS = 500
SECTION_TITLE = "## Live progress: publish→client latency"
# What `ferag api` (ferag.api.serve) runs with the default FERAG_API_WORKERS, as uvicorn options.
FERAG_UP_API = "--workers 2 --ws-per-message-deflate false"


@dataclass
class Round:
    api_options: str
    subscribers: int
    deflate: bool  # the clients offered permessage-deflate
    compressed: bool  # and the server accepted it
    client_processes: int
    events: int
    latencies_ms: list[float]
    connect_s: float
    api_cpu_ms_per_event: float
    publish_ms: list[float]  # how long each measured `publish_event` took: commit, then Redis
    alongside: str = "nothing"  # what else ran on the machine: a cycle's indexing, and its nice

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


# --- stack ---------------------------------------------------------------------------------------


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (uvicorn workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def start_api(
    home: Path, database_url: str, redis_url: str, uvicorn_args: list[str]
) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        "FERAG_DATABASE_URL": database_url,
        "FERAG_REDIS_URL": redis_url,
        "FERAG_STORE_URL": "http://127.0.0.1:9",  # not used by this benchmark
        "FERAG_JWT_SECRET": JWT_SECRET,
    }
    return api_server.start_api(home, env, ["--backlog", "4096", *uvicorn_args])


def create_member_and_rag(database_url: str) -> tuple[str, int]:
    """An account that is a member of one RAG, and its access token."""
    with make_session_factory(make_engine(database_url)).begin() as db:
        user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="-")  # noqa: S106 - cannot log in
        rag = Rag(name="bench")
        db.add_all([user, rag])
        db.flush()
        db.add(Member(rag_id=rag.id, user_id=user.id, role=Role.viewer))
        user_id, rag_id = user.id, rag.id
    return create_access_token(user_id, JWT_SECRET, timedelta(hours=2)), rag_id


# --- clients (child processes) -------------------------------------------------------------------


def client_process(
    ws_url: str, token: str, sockets: int, deflate: bool, ready: Any, results: Any, expected: int
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    raise_open_file_limit()
    results.put(asyncio.run(_clients(ws_url, token, sockets, deflate, ready, expected)))


async def _clients(
    ws_url: str, token: str, sockets: int, deflate: bool, ready: Any, expected: int
) -> dict[str, Any]:
    from ws_reader import open_reader

    gate = asyncio.Semaphore(50)

    async def open_one() -> Any:
        async with gate:
            return await open_reader(ws_url, token, deflate=deflate)

    readers = await asyncio.gather(*(open_one() for _ in range(sockets)))
    ready.put(sockets)
    codes = await asyncio.wait_for(asyncio.gather(*(r.closed for r in readers)), 600)
    complete = all(r.seqs == list(range(1, expected + 1)) for r in readers)
    return {
        "complete": complete and set(codes) == {1000},
        "latencies": [ms for r in readers for ms in r.latencies_ms],
        "compressed": all(r.inflater is not None for r in readers),
    }


# --- one round -----------------------------------------------------------------------------------


def run_round(
    api_url: str,
    database_url: str,
    redis_url: str,
    subscribers: int,
    events: int,
    spacing_s: float,
    *,
    deflate: bool,
    api: subprocess.Popen[bytes],
    api_options: str,
) -> Round:
    token, rag_id = create_member_and_rag(database_url)
    factory = make_session_factory(make_engine(database_url))
    with factory.begin() as db:
        task_id = history.create_task(db, rag_id, "bench").id
    redis = Redis.from_url(redis_url)
    warmup = 3
    expected = 1 + warmup + events + 1  # running, warm-up, measured, done
    ws_url = api_url.replace("http://", "ws://") + f"/ws/tasks/{task_id}"
    processes, ready, results = _start_clients(ws_url, token, subscribers, deflate, expected)

    started = time.monotonic()
    for _ in processes:
        ready.get(timeout=300)
    connect_s = time.monotonic() - started
    publish_event(factory, redis, task_id, "pipeline", "running")
    cpu_before = process_tree_cpu_s(api.pid)
    publish_ms = []
    for i in range(warmup + events):
        t_pub = time.time()
        data = {"i": i} if i < warmup else {"i": i, "t_pub": t_pub}
        publish_event(factory, redis, task_id, "index", "progress", data=data)
        if i >= warmup:
            publish_ms.append((time.time() - t_pub) * 1000)
        time.sleep(spacing_s)
    api_cpu_ms = (process_tree_cpu_s(api.pid) - cpu_before) * 1000 / (warmup + events)
    publish_event(factory, redis, task_id, "pipeline", "done")

    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(30)
    if not all(outcome["complete"] for outcome in outcomes):
        raise AssertionError(f"a socket missed or repeated an event with {subscribers} subscribers")
    latencies = [ms for outcome in outcomes for ms in outcome["latencies"]]
    compressed = all(outcome["compressed"] for outcome in outcomes)
    assert len(latencies) == subscribers * events
    return Round(
        api_options,
        subscribers,
        deflate,
        compressed,
        len(processes),
        events,
        latencies,
        connect_s,
        api_cpu_ms,
        publish_ms,
    )


def _start_clients(
    ws_url: str, token: str, subscribers: int, deflate: bool, expected: int
) -> tuple[list[Any], Any, Any]:
    context = mp.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    count = max(1, math.ceil(subscribers / SOCKETS_PER_CLIENT_PROCESS))
    shares = [subscribers // count + (1 if i < subscribers % count else 0) for i in range(count)]
    processes = [
        context.Process(
            target=client_process,
            args=(ws_url, token, share, deflate, ready, results, expected),
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    return processes, ready, results


# --- report --------------------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def render(rounds: list[Round], spacing_s: float, load: tuple[str, str]) -> str:
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `bench/bench_events.py`: the API under "
        "uvicorn (uvloop, websockets-sansio), one Redis pub/sub subscription per API process "
        "fanned out in-process, PostgreSQL and Redis from the wheels, all on one machine. For "
        "each N, N sockets follow one task; events are published "
        f"{spacing_s * 1000:.0f} ms apart with `publish_event` (commit, then Redis publish). "
        "Latency = client receipt minus wall clock just before `publish_event`, over every "
        "(socket, event): it includes the commit (≈5 ms with `fsync`) and the clients' reading. "
        "Clients are the minimal reader in `bench/ws_reader.py` (a general client library would "
        "add its own cost per message to the latency), at most "
        f"{SOCKETS_PER_CLIENT_PROCESS} sockets per client process, on the same cores as the "
        "server. `permessage-deflate`: whether the clients offer it (browsers do) and whether "
        "the server accepted it (uvicorn does by default). API CPU = CPU time of the API "
        "processes per event while publishing. Publish = how long `publish_event` took (part of "
        "the latency). Every socket received every event exactly once, "
        "in order. Each row is the median over its runs; p99 range = lowest and highest p99 "
        "of those runs.",
        "",
        "| uvicorn options | alongside | subscribers | permessage-deflate | runs | p50 ms "
        "| p99 ms | p99 range ms | max ms | publish p99 / max ms | API CPU ms/event "
        "| client processes |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for runs in grouped(rounds):
        first = runs[0]
        p99s = [r.percentile(0.99) for r in runs]
        lines.append(
            f"| {first.api_options or '(defaults)'} | {first.alongside} | {first.subscribers} | "
            f"{compression(first)} | {len(runs)} | "
            f"{statistics.median(statistics.median(r.latencies_ms) for r in runs):.1f} | "
            f"{statistics.median(p99s):.1f} | {min(p99s):.1f} to {max(p99s):.1f} | "
            f"{max(max(r.latencies_ms) for r in runs):.1f} | "
            f"{statistics.median(percentile(r.publish_ms, 0.99) for r in runs):.1f} / "
            f"{max(max(r.publish_ms) for r in runs):.1f} | "
            f"{statistics.median(r.api_cpu_ms_per_event for r in runs):.1f} | "
            f"{first.client_processes} |"
        )
    lines += ["", f"{rounds[0].events} measured events per run. Machine:", ""]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines += [
        f"- load average (1, 5, 15 min) before the run: {load[0]}, after: {load[1]} "
        "(other work shares the machine)"
    ]
    lines += [
        "",
        "Target: p99 under 50 ms at 1,000 subscribers. Reproduce with "
        "`.venv/bin/python bench/bench_events.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def grouped(rounds: list[Round]) -> list[list[Round]]:
    """The runs of each (set-up, what ran alongside, compression, N), in the order they were
    first measured."""
    groups: dict[tuple[str, str, bool, bool, int], list[Round]] = {}
    for r in rounds:
        key = (r.api_options, r.alongside, r.deflate, r.compressed, r.subscribers)
        groups.setdefault(key, []).append(r)
    return list(groups.values())


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each configuration.")
    parser.add_argument("--spacing-ms", type=float, default=100.0)
    parser.add_argument(
        "--deflate",
        choices=["on", "off", "both"],
        default="both",
        help="Whether clients offer permessage-deflate (browsers do; uvicorn accepts it).",
    )
    parser.add_argument(
        "--api",
        action="append",
        help='uvicorn options of one API set-up to measure, e.g. "--workers 2"; repeatable '
        f'(default: ferag up\'s "{FERAG_UP_API}", then uvicorn\'s defaults "").',
    )
    parser.add_argument(
        "--alongside",
        action="append",
        help="\"nothing\", or the nice of a cycle's indexing run alongside (the worker's "
        'default: 10); repeatable (default: "nothing").',
    )
    parser.add_argument("--write", type=Path, help="Markdown file to record the results in.")
    args = parser.parse_args()
    raise_open_file_limit()
    load_before = load_average()
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.deflate]
    with tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp:
        rounds = run_all(
            Path(tmp),
            args.api if args.api is not None else [FERAG_UP_API, ""],
            args.subscribers,
            modes,
            args.events,
            args.spacing_ms / 1000,
            args.repeat,
            args.alongside or ["nothing"],
        )
    section = render(rounds, args.spacing_ms / 1000, (load_before, load_average()))
    print(section)
    if args.write:
        write_section(args.write, SECTION_TITLE, section)


def run_all(
    home: Path,
    api_setups: list[str],
    counts: list[int],
    modes: list[bool],
    events: int,
    spacing_s: float,
    repeat: int,
    alongside: list[str],
) -> list[Round]:
    postgres = servers.start_postgres(home / "postgres", home / "logs" / "postgres.log")
    redis = servers.start_redis(home / "redis", home / "logs" / "redis.log")
    try:
        database_url = servers.ensure_database(postgres.url, "ferag_bench")
        migrate.upgrade(database_url)
        rounds: list[Round] = []
        for options in api_setups:
            api, api_url = start_api(home, database_url, redis.url, options.split())
            try:
                for other in alongside:
                    load = None if other == "nothing" else IndexingLoad(int(other))
                    if load is not None:
                        load.start()
                    try:
                        for deflate in modes:
                            for n in [n for n in counts for _ in range(repeat)]:
                                measured = run_round(
                                    api_url,
                                    database_url,
                                    redis.url,
                                    n,
                                    events,
                                    spacing_s,
                                    deflate=deflate,
                                    api=api,
                                    api_options=options,
                                )
                                measured.alongside = describe(load)
                                rounds.append(measured)
                                print(summary(measured), file=sys.stderr)
                    finally:
                        if load is not None:
                            load.stop()
            finally:
                api.terminate()
                api.wait(30)
        return rounds
    finally:
        redis.stop()
        postgres.stop()


def describe(load: IndexingLoad | None) -> str:
    return "nothing" if load is None else f"indexing at nice {load.nice}"


def compression(r: Round) -> str:
    if not r.deflate:
        return "not offered"
    return "offered, used" if r.compressed else "offered, refused"


def summary(r: Round) -> str:
    return (
        f"[{r.api_options or 'defaults'}, alongside: {r.alongside}] "
        f"{r.subscribers:>5} subscribers, "
        f"deflate {compression(r)}: p50 {statistics.median(r.latencies_ms):.1f} ms, "
        f"p99 {r.percentile(0.99):.1f} ms, max {max(r.latencies_ms):.1f} ms, publish p50 "
        f"{statistics.median(r.publish_ms):.1f} p99 {percentile(r.publish_ms, 0.99):.1f} "
        f"max {max(r.publish_ms):.1f} ms, "
        f"API CPU {r.api_cpu_ms_per_event:.1f} ms/event, "
        f"sockets connected in {r.connect_s:.1f} s"
    )


if __name__ == "__main__":
    main()
