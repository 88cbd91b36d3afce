"""`ferag up` end to end: the whole local stack from the console script, twice on one home.

The first run registers a user; after a Ctrl-C that must stop everything, a second run on the
same home must reuse the data (the user can log in) instead of initialising it again.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

SERVER_URL_SETTINGS = ("FERAG_DATABASE_URL", "FERAG_REDIS_URL", "FERAG_STORE_URL",
                       "FERAG_LLM_BASE_URL")  # fmt: skip
COMPONENTS = {"database", "redis", "store", "worker", "llm"}
FERAG = str(Path(sys.executable).with_name("ferag"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


class FeragUp:
    """One `ferag up` child process whose output is collected line by line."""

    def __init__(self, home: Path, **settings: str) -> None:
        self.home = home
        self.env = {key: value for key, value in os.environ.items()
                    if key not in SERVER_URL_SETTINGS}  # fmt: skip
        self.env |= {"FERAG_HOME": str(home), "FERAG_API_PORT": "0", "FERAG_LOG_JSON": "false"}
        self.env |= settings
        self.process = subprocess.Popen(
            [FERAG, "up"], env=self.env, cwd=home.parent, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"`ferag up` never printed {pattern!r}; output:\n{''.join(self.output)}")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([FERAG, *args], env=self.env, cwd=self.home.parent,
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    def stop(self) -> None:
        """Best-effort clean-up for a failed test: Ctrl-C, then kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def processes_of(home: Path) -> list[psutil.Process]:
    """Live processes started for ``home``: named in their command line or environment."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE or process.pid == os.getpid():
                continue
            in_cmdline = str(home) in " ".join(process.info["cmdline"] or [])
            if in_cmdline or process.environ().get("FERAG_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture()
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    yield home
    for process in processes_of(home):  # only after a failure: never leak a stack
        process.kill()


def wait_healthy(api_url: str, timeout: float = 60) -> dict[str, object]:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{api_url}/health", timeout=5)
            health = response.json()
            components = health["components"]
            if response.status_code == 200 and all(
                components[name]["status"] == "ok" for name in COMPONENTS
            ):
                return dict(health)
            last = response.text
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            last = repr(exc)
        time.sleep(0.5)
    pytest.fail(f"/health never reported every component ok; last: {last}")


def start(home: Path, **settings: str) -> tuple[FeragUp, str]:
    stack = FeragUp(home, **settings)
    api_url = stack.wait_for(r"^API: (http://\S+)", timeout=180).group(1)
    health = wait_healthy(api_url)
    assert health["components"]["llm"]["standin"] is True  # type: ignore[index]
    return stack, api_url


def api_processes(home: Path) -> int:
    """How many processes serve the API: uvicorn's worker processes (not its resource tracker),
    or uvicorn itself when it runs one worker in-process."""
    (uvicorn,) = [p for p in processes_of(home) if p.cmdline()[-2:] == ["ferag.cli.main", "api"]]
    workers = sum("spawn_main" in " ".join(child.cmdline()) for child in uvicorn.children())
    return workers or 1


def stop(stack: FeragUp) -> None:
    begin = time.monotonic()
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(30) == 0, "".join(stack.output)
    elapsed = time.monotonic() - begin
    assert elapsed < 30
    time.sleep(0.5)  # let the kernel reap what was killed last
    assert processes_of(stack.home) == []
    assert not (stack.home / "stack.json").exists()


def requests_counted(api_url: str, route: str) -> float:
    """``ferag_http_requests_total`` of ``route``, over every status, as /metrics reports it."""
    metrics = httpx.get(f"{api_url}/metrics", timeout=30)
    assert metrics.status_code == 200, metrics.text
    label = f'route="{route}"'
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line.startswith("ferag_http_requests_total{") and label in line
    )


def test_ferag_up_runs_stops_and_restarts_on_the_same_data(home: Path) -> None:
    credentials = {"email": "first-run@example.org", "password": "a-long-password-1"}

    stack, api_url = start(home)
    try:
        status = stack.run("status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "all components are up" in status.stdout
        assert api_processes(home) == 2  # FERAG_API_WORKERS' default
        before = requests_counted(api_url, "/health")
        for _ in range(20):  # a connection each: the processes share them out
            assert httpx.get(f"{api_url}/health", timeout=30).status_code == 200
        assert requests_counted(api_url, "/health") == before + 20  # every process counted

        second = stack.run("up")
        assert second.returncode == 1
        assert "already running" in second.stderr

        registered = httpx.post(f"{api_url}/auth/register", json=credentials, timeout=30)
        assert registered.status_code in (200, 201), registered.text
        token = httpx.post(f"{api_url}/auth/login", json=credentials, timeout=30).json()
        me = {"Authorization": f"Bearer {token['access_token']}"}
        for _ in range(20):  # both API processes sign with the secret generated in the home
            assert httpx.get(f"{api_url}/auth/me", headers=me, timeout=30).status_code == 200
        assert (home / "jwt_secret").stat().st_mode & 0o777 == 0o600
        initialised_at = (home / "postgres" / "PG_VERSION").stat().st_mtime_ns
        stop(stack)

        stopped = stack.run("status")
        assert stopped.returncode == 1
        assert "not running" in stopped.stderr

        stack, api_url = start(home, FERAG_API_WORKERS="1")
        login = httpx.post(f"{api_url}/auth/login", json=credentials, timeout=30)
        assert login.status_code == 200, login.text
        assert httpx.get(f"{api_url}/auth/me", headers=me, timeout=30).status_code == 200
        assert api_processes(home) == 1
        assert (home / "postgres" / "PG_VERSION").stat().st_mtime_ns == initialised_at
        stop(stack)
    finally:
        stack.stop()
