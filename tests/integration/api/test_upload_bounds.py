"""Hostile and careless uploads through the HTTP API (issue #10, defects 1, 2 and 8): a zip bomb
of many members each too small to be ratio-checked, a chunked body over the size limit, text
mixing UTF-8 and Windows-1251, and the per-user limits on concurrent uploads and daily volume.
Each refusal is a clear 4xx, and nothing is stored: no cycle, no document rows, no files under
FERAG_HOME.

The API of these tests runs in the pytest process (a thread server), so its memory cannot be
told apart from pytest's: the tests show instead that a refused body is cut off after a bounded
number of bytes; ``bench/bench_upload.py`` measures the API process's peak RSS.
"""

from __future__ import annotations

import io
import random
import re
import select
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import Account, create_account, create_rag
from tests.integration.api.test_upload import stored

MIB = 1024 * 1024
BODY_LIMIT = 1 * MIB
EXPANDED_LIMIT = 20 * MIB
DAILY_LIMIT = 3 * MIB
SERVER_DIRS = {"logs", "oxigraph", "postgres", "redis"}  # the test servers' own data
# What the session's worker writes meanwhile for other tests' cycles (GraphRAG's cache and work
# files, its metrics): not the API's doing.
WORKER_DIRS = {"cache", "run", "work"}


def unworked(settings: Settings) -> Settings:
    """Settings whose broker is a Redis database no worker reads: the cycles these uploads open
    stay queued, instead of keeping the session's worker indexing megabytes for minutes."""
    return settings.model_copy(update={"redis_url": f"{settings.require('redis_url')[:-1]}5"})


@pytest.fixture(scope="module")
def bounded_api(settings: Settings) -> Iterator[str]:
    from ferag.api.app import create_app

    bounded = unworked(settings).model_copy(
        update={
            "max_upload_bytes": BODY_LIMIT,
            "max_archive_expanded_bytes": EXPANDED_LIMIT,
            "upload_concurrency_per_user": 1,
            "upload_daily_bytes_per_user": DAILY_LIMIT,
        }
    )
    with ThreadedServer(create_app(bounded)) as server:
        yield server.url


@pytest.fixture(scope="module")
def unworked_api(settings: Settings) -> Iterator[str]:
    from ferag.api.app import create_app

    with ThreadedServer(create_app(unworked(settings))) as server:
        yield server.url


@pytest.fixture()
def http(bounded_api: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=bounded_api, timeout=60) as client:
        yield client


def files_under(home: Path) -> set[Path]:
    return {
        path
        for path in home.rglob("*")
        if path.is_file() and path.relative_to(home).parts[0] not in SERVER_DIRS | WORKER_DIRS
    }


def assert_nothing_stored(settings: Settings, rag_id: int, files_before: set[Path]) -> None:
    assert stored(settings, rag_id) == {"cycles": 0, "tasks": 0, "documents": 0}
    assert files_under(settings.home) - files_before == set()


def many_member_bomb(members: int) -> bytes:
    """Members of one byte under the size where the compression ratio is checked, each
    compressing about 1000 to 1: the shape of the 1.5 MB zip that expanded to 490 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(members):
            archive.writestr(f"part{i:03}.txt", b"a" * (MIB - 1))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        ("bounded", r"the archive expands to 31457250 bytes, more than the limit of 20971520"),
        ("default", r"the archive expands \d+ to 1 \(31457250 bytes from \d+\)"),
    ],
)
def test_a_zip_bomb_of_many_small_members_is_refused_from_its_directory(
    api: str,
    bounded_api: str,
    api_url: str,
    owner: Account,
    settings: Settings,
    expected: str,
) -> None:
    archive = many_member_bomb(30)
    assert len(archive) < 100_000  # 30 MB from under 100 kB
    before = files_under(settings.home)
    with httpx.Client(base_url=bounded_api if api == "bounded" else api_url, timeout=60) as http:
        rag_id = create_rag(http, owner)
        response = http.post(
            f"/rags/{rag_id}/upload",
            headers=owner.headers,
            files=[("files", ("bomb.zip", archive, "application/zip"))],
        )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "archive_too_large"
    assert error["message"].startswith("bomb.zip: ")
    assert re.search(expected, error["message"]), error["message"]
    assert_nothing_stored(settings, rag_id, before)


def multipart_head(boundary: str, name: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


def open_chunked_upload(api: str, account: Account, rag_id: int, boundary: str) -> socket.socket:
    """A raw HTTP/1.1 upload request with ``Transfer-Encoding: chunked`` (no Content-Length),
    its headers sent; the body follows with ``send_chunk``."""
    url = urlsplit(api)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    head = (
        f"POST /rags/{rag_id}/upload HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {account.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    return sock


def send_chunk(sock: socket.socket, data: bytes) -> None:
    sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")


def read_response(sock: socket.socket) -> httpx.Response:
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += sock.recv(65536)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += sock.recv(65536)
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body[:length])


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(
    bounded_api: str, http: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(http, owner)
    before = files_under(settings.home)
    attempted = 60 * MIB
    sock = open_chunked_upload(bounded_api, owner, rag_id, "bound")
    send_chunk(sock, multipart_head("bound", "big.txt"))
    sent = 0
    chunk = b"word " * 13_107  # 64 kB
    with sock:
        while sent < attempted and not select.select([sock], [], [], 0)[0]:
            try:
                send_chunk(sock, chunk)
            except OSError:  # the server closed the connection after answering
                break
            sent += len(chunk)
        response = read_response(sock)
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "upload_too_large"
    assert "FERAG_MAX_UPLOAD_BYTES" in error["message"]
    # The answer came while the client was still sending: what it got out is the limit plus
    # what the kernel buffers on both ends of a loopback connection hold, far from 60 MiB.
    assert sent < BODY_LIMIT + 8 * MIB
    assert_nothing_stored(settings, rag_id, before)


def test_text_mixing_utf8_and_windows_1251_is_refused_naming_the_file(
    http: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(http, owner)
    before = files_under(settings.home)
    mixed = (
        "Анна Смирнова возглавляет склад «Тайга».\n".encode()
        + "Склад открыт в Казани в 2021 году.\nОфис на улице Баумана.\n".encode("cp1251")
    )
    response = http.post(
        f"/rags/{rag_id}/upload",
        headers=owner.headers,
        files=[
            ("files", ("fine.txt", b"Kazan office notes.", "text/plain")),
            ("files", ("reports/mixed.txt", mixed, "text/plain")),
        ],
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "mixed_encoding"
    assert error["message"].startswith("reports/mixed.txt: the file mixes encodings: ")
    assert "line 1 is UTF-8, but lines 2, 3 are not (they read as Windows-1251)" in error["message"]
    assert_nothing_stored(settings, rag_id, before)


def test_a_second_concurrent_upload_of_one_user_is_429_with_retry_after(
    bounded_api: str, http: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(http, owner)
    slow = open_chunked_upload(bounded_api, owner, rag_id, "slow")
    with slow:
        send_chunk(slow, multipart_head("slow", "slow.txt") + b"Kazan ")
        time.sleep(0.5)  # the slow upload holds the user's one slot while its body trickles
        response = http.post(
            f"/rags/{rag_id}/upload",
            headers=owner.headers,
            files=[("files", ("second.txt", b"Kazan office.", "text/plain"))],
        )
        assert response.status_code == 429, response.text
        assert response.json()["error"]["code"] == "upload_concurrency_limit"
        assert int(response.headers["Retry-After"]) > 0
        other = create_account(http)  # another user is not held back
        other_rag = create_rag(http, other)
        accepted = http.post(
            f"/rags/{other_rag}/upload",
            headers=other.headers,
            files=[("files", ("other.txt", b"Kazan office.", "text/plain"))],
        )
        assert accepted.status_code == 202, accepted.text
        send_chunk(slow, b"office.\r\n--slow--\r\n")
        slow.sendall(b"0\r\n\r\n")
        assert read_response(slow).status_code == 202
    assert stored(settings, rag_id)["cycles"] == 1  # the slow one; its slot is free again
    again = http.post(
        f"/rags/{rag_id}/upload",
        headers=owner.headers,
        files=[("files", ("third.txt", b"Kazan office.", "text/plain"))],
    )
    assert again.status_code == 202, again.text


def words(nbytes: int) -> bytes:
    rng = random.Random(nbytes)
    vocabulary = ["Kazan", "warehouse", "Taiga", "office", "Anna", "report", "quarter", "leads"]
    text = " ".join(rng.choice(vocabulary) for _ in range(nbytes // 5))
    return text.encode()[:nbytes]


def test_uploads_past_the_daily_volume_are_429_and_store_nothing(
    http: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(http, owner)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes/a.txt", words(2 * MIB))  # compresses ~4 to 1
    upload = [("files", ("notes.zip", buffer.getvalue(), "application/zip"))]
    first = http.post(f"/rags/{rag_id}/upload", headers=owner.headers, files=upload)
    assert first.status_code == 202, first.text
    before = files_under(settings.home)
    second = http.post(f"/rags/{rag_id}/upload", headers=owner.headers, files=upload)
    assert second.status_code == 429, second.text
    error = second.json()["error"]
    assert error["code"] == "upload_daily_limit"
    assert "FERAG_UPLOAD_DAILY_BYTES_PER_USER" in error["message"]
    assert 0 < int(second.headers["Retry-After"]) <= 24 * 3600 + 1
    assert stored(settings, rag_id) == {"cycles": 1, "tasks": 1, "documents": 1}
    assert files_under(settings.home) - before == set()
    # The refused upload was refunded: a small one still fits in what is left of the day.
    small = [("files", ("small.txt", b"Kazan office.", "text/plain"))]
    assert (
        http.post(f"/rags/{rag_id}/upload", headers=owner.headers, files=small).status_code == 202
    )


def test_a_large_archive_within_the_limits_is_stored_whole_in_batches(
    unworked_api: str, owner: Account, settings: Settings
) -> None:
    members = {f"notes/{i:02}.txt": words(MIB) for i in range(24)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with httpx.Client(base_url=unworked_api, timeout=60) as client:
        rag_id = create_rag(client, owner)
        response = client.post(
            f"/rags/{rag_id}/upload",
            headers=owner.headers,
            files=[("files", ("notes.zip", buffer.getvalue(), "application/zip"))],
        )
    assert response.status_code == 202, response.text
    assert response.json()["documents"] == len(members)
    engine = sa.create_engine(settings.require("database_url"))
    with engine.connect() as conn:
        count, total = conn.execute(
            sa.text("SELECT count(*), sum(length(original)) FROM documents WHERE rag_id = :r"),
            {"r": rag_id},
        ).one()
    engine.dispose()
    assert (count, total) == (len(members), len(members) * MIB)
