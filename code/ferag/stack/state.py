"""The stack file ``home/stack.json``: what a running ``ferag up`` started, and probes of it.

``ferag up`` writes the file once every component is ready and removes it when it stops;
``ferag status`` reads it and checks that each process is alive and each server answers.
URLs are stored with any password masked.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

STATE_FILE = "stack.json"
DEFAULT_PORTS = {"postgresql": 5432, "redis": 6379, "rediss": 6379, "http": 80, "https": 443}


class StateFileError(RuntimeError):
    """``stack.json`` exists but cannot be read."""


@dataclass(frozen=True)
class ComponentRecord:
    """One component of a running stack; ``pid`` is None for a server ``ferag up`` did not start."""

    name: str
    url: str
    description: str
    pid: int | None = None
    log: str | None = None


@dataclass(frozen=True)
class StackState:
    supervisor_pid: int
    started_at: str
    home: str
    api_url: str
    llm_standin: bool
    components: tuple[ComponentRecord, ...]

    def write(self, path: Path) -> None:
        """Replace ``path`` atomically, so a reader never sees half a file."""
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n")
        temporary.replace(path)

    @classmethod
    def read(cls, path: Path) -> StackState | None:
        """The state in ``path``, or None when there is no such file."""
        try:
            raw: dict[str, Any] = json.loads(path.read_text())
            components = tuple(ComponentRecord(**entry) for entry in raw.pop("components"))
            return cls(**raw, components=components)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise StateFileError(
                f"{path} is unreadable ({exc}); delete it if no `ferag up` is running"
            ) from exc


def state_path(home: Path) -> Path:
    return home / STATE_FILE


def redact_url(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


# --- probes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    url: str
    is_up: bool
    detail: str


def probe(record: ComponentRecord, timeout: float = 5.0) -> ComponentStatus:
    """Whether the component's process is alive and its server answers; the detail starts
    with what runs it (``embedded Apache Jena Fuseki``, ``external``)."""
    if record.pid is not None and not pid_alive(record.pid):
        return ComponentStatus(record.name, record.url, False, f"process {record.pid} is gone")
    if record.name == "api":
        is_up, detail = probe_api(record.url, timeout)
    elif record.url:
        is_up = tcp_reachable(record.url, timeout)
        detail = "answers" if is_up else "does not accept connections"
    else:
        is_up, detail = True, "process alive"
    if record.pid is not None:
        detail = f"pid {record.pid}, {detail}"
    return ComponentStatus(record.name, record.url, is_up, f"{record.description}, {detail}")


def tcp_reachable(url: str, timeout: float) -> bool:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    port = parts.port or DEFAULT_PORTS.get(scheme)
    if parts.hostname is None or port is None:
        return False
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def probe_api(api_url: str, timeout: float) -> tuple[bool, str]:
    """Read the API's ``/health``: up only when every component it checks is ``ok``."""
    try:
        response = httpx.get(f"{api_url}/health", timeout=timeout)
        health = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return False, f"/health failed: {exc}"
    components = health.get("components", {}) if isinstance(health, dict) else {}
    parts = [_describe(name, info) for name, info in components.items()]
    status = health.get("status", "?") if isinstance(health, dict) else "?"
    is_up = response.status_code == 200 and status == "ok"
    return is_up, f"/health {status}: " + ", ".join(parts)


def _describe(name: str, info: dict[str, Any]) -> str:
    """``store ok (fuseki 5.6.0)``, ``llm ok (stand-in)``: one component of ``/health``."""
    text = f"{name} {info.get('status', '?')}"
    if info.get("standin"):
        return f"{text} (stand-in)"
    if kind := info.get("kind"):
        return f"{text} ({kind} {info.get('version') or 'version unknown'})"
    return text
