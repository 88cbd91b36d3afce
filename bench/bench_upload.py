"""Peak API memory during the worst accepted upload and each refused upload attack.

    .venv/bin/python bench/bench_upload.py                      # print the results
    .venv/bin/python bench/bench_upload.py --write docs/benchmarks.md

Starts PostgreSQL and Redis from their wheels (``ferag.stack.servers``) and the API under uvicorn
in a child process (one process, default settings), as ``ferag api`` does. Each case is sent
``--repeat`` times; while the request runs, the API process's RSS is sampled every 10 ms
(psutil), and the table gives the median over runs of the peak above the RSS just before the
request (idle). No worker runs: an accepted upload's cycle stays pending.

Cases: the worst archive the default limits accept (members at the document limit,
FERAG_MAX_DOCUMENT_BYTES, half UTF-8 and half Windows-1251 Russian, which costs most to decode,
within the body limit and the compression-ratio limit); the many-member zip bomb of issue #10
(490 members of 1,000,000 bytes, 1.5 MB expanding to 490 MB); a 60 MiB body sent with
``Transfer-Encoding: chunked``; and a zip of 60,000 one-byte members.
"""

from __future__ import annotations

import argparse
import io
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import api_server
import httpx
import psutil
from results import machine, write_section

from ferag.db import migrate
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import Member, Rag, Role, User
from ferag.security import create_access_token
from ferag.settings import Settings
from ferag.stack import servers
from graphrag_lib.documents import UploadLimits

JWT_SECRET = "bench-" + uuid.uuid4().hex
SECTION_TITLE = "## Uploads: peak API memory"
TARGET_MIB = 300
MIB = 1024 * 1024
DEFAULTS = Settings(jwt_secret=JWT_SECRET)


@dataclass
class Case:
    name: str
    send: Callable[[str, str, int], int]  # (api url, token, rag id) → HTTP status
    expected: int


# --- uploads ------------------------------------------------------------------------------------

_RUSSIAN_WORDS = [
    "склад",
    "Казань",
    "отчёт",
    "квартал",
    "поставка",
    "Анна",
    "Смирнова",
    "возглавляет",
    "компания",
    "договор",
    "груз",
    "маршрут",
    "склады",
    "доставка",
    "офис",
    "директор",
    "сотрудник",
    "планирование",
    "объём",
]


def russian_text(nbytes: int, encoding: str, seed: int) -> bytes:
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < nbytes:
        word = rng.choice(_RUSSIAN_WORDS)
        words.append(word)
        size += len(word.encode(encoding)) + 1
    return " ".join(words).encode(encoding)[:nbytes].rsplit(b" ", 1)[0]


def worst_accepted_archive() -> bytes:
    """Members at the document limit, alternating UTF-8 and Windows-1251, as many as fit in the
    body limit (random word order keeps the ratio far below the ratio limit)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(64):
            encoding = "utf-8" if i % 2 == 0 else "cp1251"
            data = russian_text(DEFAULTS.max_document_bytes, encoding, i)
            archive.writestr(f"reports/{i:02}.txt", data)
            if buffer.tell() > DEFAULTS.max_upload_bytes * 0.8:
                break
    return buffer.getvalue()


def many_member_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(490):
            archive.writestr(f"part{i:03}.txt", b"a" * 1_000_000)
    return buffer.getvalue()


def many_small_members() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(60_000):
            archive.writestr(f"m/{i:05}.txt", b"x")
    return buffer.getvalue()


def post_zip(name: str, data: bytes) -> Callable[[str, str, int], int]:
    def send(api: str, token: str, rag_id: int) -> int:
        response = httpx.post(
            f"{api}/rags/{rag_id}/upload",
            headers={"Authorization": f"Bearer {token}"},
            files=[("files", (name, data, "application/zip"))],
            timeout=600,
        )
        return response.status_code

    return send


def post_chunked(total: int) -> Callable[[str, str, int], int]:
    def send(api: str, token: str, rag_id: int) -> int:
        host, port = api.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=120) as sock:
            sock.sendall(
                f"POST /rags/{rag_id}/upload HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n\r\n".encode()
            )
            head = (
                b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
            )
            chunk = b"word " * 13_107
            try:
                sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
                for _ in range(total // len(chunk)):
                    sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:
                pass  # the API answered and closed the connection
            return int(sock.recv(65536).split(b" ", 2)[1])

    return send


# --- measuring ----------------------------------------------------------------------------------


def peak_rss_during(pid: int, action: Callable[[], int]) -> tuple[int, float, float]:
    """(status, idle RSS MiB, peak RSS MiB) of ``pid`` while ``action`` runs."""
    process = psutil.Process(pid)
    idle = process.memory_info().rss
    peak = idle
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        status = action()
    finally:
        done.set()
        sampler.join()
    return status, idle / MIB, peak / MIB


def start_api(home: Path, database_url: str, redis_url: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        "FERAG_DATABASE_URL": database_url,
        "FERAG_REDIS_URL": redis_url,
        "FERAG_STORE_URL": "http://127.0.0.1:9",  # not used by this benchmark
        "FERAG_JWT_SECRET": JWT_SECRET,
        "FERAG_UPLOAD_DAILY_BYTES_PER_USER": "0",  # the bench uploads more than a day's worth
    }
    return api_server.start_api(home, env)


def create_editor_and_rag(database_url: str) -> tuple[str, int]:
    with make_session_factory(make_engine(database_url)).begin() as db:
        user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="-")  # noqa: S106 - cannot log in
        rag = Rag(name="bench")
        db.add_all([user, rag])
        db.flush()
        db.add(Member(rag_id=rag.id, user_id=user.id, role=Role.owner))
        user_id, rag_id = user.id, rag.id
    return create_access_token(user_id, JWT_SECRET, timedelta(hours=2)), rag_id


@dataclass
class Result:
    case: Case
    size: str
    statuses: list[int]
    above_idle: list[float]
    idle: list[float]
    seconds: list[float]


def run_cases(cases: list[tuple[Case, str]], repeat: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="ferag-bench-") as tmp:
        home = Path(tmp)
        postgres = servers.start_postgres(home / "postgres", home / "logs" / "postgres.log")
        redis = servers.start_redis(home / "redis", home / "logs" / "redis.log")
        try:
            database_url = servers.ensure_database(postgres.url, "ferag_bench")
            migrate.upgrade(database_url)
            api, url = start_api(home, database_url, redis.url)
            try:
                token, rag_id = create_editor_and_rag(database_url)
                return [measure(api.pid, url, token, rag_id, c, s, repeat) for c, s in cases]
            finally:
                api.terminate()
                try:
                    api.wait(30)
                except subprocess.TimeoutExpired:
                    api.kill()
        finally:
            redis.stop()
            postgres.stop()


def measure(pid: int, url: str, token: str, rag_id: int, case: Case, size: str, n: int) -> Result:
    result = Result(case, size, [], [], [], [])
    for _ in range(n):
        started = time.perf_counter()
        status, idle, peak = peak_rss_during(pid, lambda: case.send(url, token, rag_id))
        result.seconds.append(time.perf_counter() - started)
        result.statuses.append(status)
        result.idle.append(idle)
        result.above_idle.append(peak - idle)
        print(
            f"{case.name}: {status}, idle {idle:.0f} MiB, peak +{peak - idle:.0f} MiB", flush=True
        )
    return result


def section(results: list[Result], repeat: int) -> str:
    rows = [
        f"| {r.case.name} | {r.size} | {', '.join(str(s) for s in sorted(set(r.statuses)))} | "
        f"{statistics.median(r.above_idle):.0f} | {max(r.above_idle):.0f} | "
        f"{statistics.median(r.seconds):.1f} |"
        for r in results
    ]
    idle = statistics.median(i for r in results for i in r.idle)
    worst = max(max(r.above_idle) for r in results)
    info = "\n".join(f"- {key}: {value}" for key, value in machine().items())
    return f"""{SECTION_TITLE}

`bench/bench_upload.py`: the API in its own process (uvicorn, one process, default limits:
body {DEFAULTS.max_upload_bytes // MIB} MiB, document {DEFAULTS.max_document_bytes // MIB} MiB,
expanded {DEFAULTS.max_archive_expanded_bytes // MIB} MiB, compression ratio
{UploadLimits().max_compression_ratio:.0f}:1), PostgreSQL and Redis from their wheels;
each case sent {repeat} times, the API's RSS sampled every 10 ms while the request runs. Peak is
above the RSS just before the request (idle, median {idle:.0f} MiB). Target: under
{TARGET_MIB} MiB above idle; worst run {worst:.0f} MiB.

| upload | size | status | peak above idle, median (MiB) | worst run (MiB) | time, median (s) |
|---|---|---|---|---|---|
{chr(10).join(rows)}

The accepted archive is read one member at a time and written to PostgreSQL in batches of about
8 MiB, so its peak is one document (bytes, decoded text, normalised text, its row) and does not
grow with the number of members. The zip bomb and the many-member zip are refused from their
central directory (total expanded size or whole-archive compression ratio; entry count) before
anything is decompressed; the chunked body is cut off with 413 when it passes the body limit.

{info}
"""


def cases() -> Iterator[tuple[Case, str]]:
    accepted = worst_accepted_archive()
    yield (
        Case("worst accepted archive", post_zip("reports.zip", accepted), 202),
        f"{len(accepted) / MIB:.1f} MiB zip",
    )
    bomb = many_member_bomb()
    yield (
        Case("zip bomb, 490 members of 1,000,000 B", post_zip("bomb.zip", bomb), 413),
        f"{len(bomb) / MIB:.1f} MiB → 490 MB",
    )
    yield Case("chunked body, no Content-Length", post_chunked(60 * MIB), 413), "60 MiB"
    small = many_small_members()
    yield (
        Case("60,000 one-byte members", post_zip("many.zip", small), 413),
        f"{len(small) / MIB:.1f} MiB zip",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    results = run_cases(list(cases()), args.repeat)
    for result in results:
        unexpected = [s for s in result.statuses if s != result.case.expected]
        if unexpected:
            raise SystemExit(
                f"{result.case.name}: expected {result.case.expected}, got {unexpected}"
            )
    text = section(results, args.repeat)
    print(text)
    if args.write:
        write_section(args.write, SECTION_TITLE, text)


if __name__ == "__main__":
    main()
