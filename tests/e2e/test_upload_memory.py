"""An attack upload does not grow the API process: the API runs as its own process (as
``ferag api`` runs it), and its resident memory is sampled while the issue's attacks are sent —
the many-member zip bomb and a 60 MiB chunked body. Each is refused with 413, nothing is stored,
and the peak stays under 300 MiB above the RSS just before (``bench/bench_upload.py`` records
the same for more cases, with medians)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import psutil
import pytest

from ferag.settings import Settings
from ferag.stack import servers
from tests.factories import Account, create_account, create_rag
from tests.integration.api.test_upload import stored
from tests.integration.api.test_upload_bounds import many_member_bomb
from tests.workers import settings_env

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
LIMIT_ABOVE_IDLE = 300 * MIB


@pytest.fixture(scope="module")
def api_process(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """The API in a process of its own, on a broker database no worker reads."""
    home = tmp_path_factory.mktemp("upload-memory")
    port = servers.free_port()
    env = settings_env(
        settings,
        FERAG_HOME=str(home),
        FERAG_REDIS_URL=f"{settings.require('redis_url')[:-1]}6",
        FERAG_LOG_LEVEL="WARNING",
    )
    argv = [sys.executable, "-m", "uvicorn", "--factory", "ferag.api.app:create_app",
            "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = servers.spawn("api", argv, home / "api.log", env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/live", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(30)


def peak_above_idle(pid: int, attack: Callable[[], int]) -> tuple[int, int]:
    """The attack's HTTP status and the API's peak RSS above its RSS just before, in bytes."""
    process = psutil.Process(pid)
    idle = peak = process.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        status = attack()
    finally:
        done.set()
        sampler.join()
    return status, peak - idle


def chunked_body(url: str, who: Account, rag_id: int, total: int) -> int:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=120) as sock:
        sock.sendall(
            f"POST /rags/{rag_id}/upload HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {who.token}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n\r\n".encode()
        )
        head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
        chunk = b"word " * 13_107
        try:
            sock.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            for _ in range(total // len(chunk)):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass  # the API answered and closed the connection
        return int(sock.recv(65536).split(b" ", 2)[1])


def test_attack_uploads_are_refused_without_growing_the_api(
    api_process: tuple[str, int], settings: Settings
) -> None:
    url, pid = api_process
    with httpx.Client(base_url=url, timeout=300) as http:
        owner = create_account(http)
        rag_id = create_rag(http, owner)
        bomb = many_member_bomb(490)

        def send_bomb() -> int:
            files = [("files", ("bomb.zip", bomb, "application/zip"))]
            return http.post(
                f"/rags/{rag_id}/upload", headers=owner.headers, files=files
            ).status_code

        status, grown = peak_above_idle(pid, send_bomb)
        assert status == 413 and grown < LIMIT_ABOVE_IDLE, (status, grown / MIB)
        status, grown = peak_above_idle(pid, lambda: chunked_body(url, owner, rag_id, 60 * MIB))
        assert status == 413 and grown < LIMIT_ABOVE_IDLE, (status, grown / MIB)
    assert stored(settings, rag_id) == {"cycles": 0, "tasks": 0, "documents": 0}
