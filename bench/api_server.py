"""The API in a child process under uvicorn, as ``ferag api`` runs it, for the benchmarks that
measure it over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from ferag.stack import servers

STARTUP_S = 60


def start_api(
    home: Path, env: Mapping[str, str], uvicorn_args: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    """The API's process and URL once it answers; ``env`` adds to the environment (settings
    ``FERAG_…``), its log is ``home/logs/api.log``."""
    port = servers.free_port()
    environment = {**os.environ, "FERAG_HOME": str(home), "FERAG_LOG_LEVEL": "WARNING", **env}
    argv = [sys.executable, "-m", "uvicorn", "--factory", "ferag.api.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), *uvicorn_args]  # fmt: skip
    process = servers.spawn("api", argv, home / "logs" / "api.log", env=environment)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the API did not start; see {home / 'logs' / 'api.log'}")
