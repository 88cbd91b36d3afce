"""Supervise the local stack that ``ferag up`` runs, from first start to last stop.

Start order: database (PostgreSQL), redis, store (Oxigraph, or Apache Jena Fuseki with
``FERAG_STORE_KIND=fuseki``), llm (the offline model stand-in), each started only when its
setting is empty; then migrations, one Celery worker and the API.
Stop order is the reverse. Children run in their own process groups, so a Ctrl-C in the terminal
reaches only the supervisor, which stops them in order; they also get SIGTERM if it dies.

Once the stack is ready, a child that exits is restarted on the same address and data (what
was left of its process group killed first), after a back-off that doubles with each death up
to a cap and starts again from the first wait once a child has stayed up a while
(``RestartPolicy``). Only a stop signal stops the stack. "ready" means the API this supervisor
started answered (``/health/live`` reports the instance id it was given) and is ready
(``/health/ready``).

Errors:

    StackError                the stack could not start, or stopped running
     ├── StackAlreadyRunning  another ``ferag up`` holds the lock of the same home
     └── ComponentFailed      a child did not become ready, or exited; carries its log tail
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import httpx

from ferag.api.serve import INSTANCE_ENV
from ferag.settings import Settings
from ferag.stack import fuseki_jar, servers
from ferag.stack.fuseki_jar import FusekiUnavailable
from ferag.stack.servers import Server, ServerStartError
from ferag.stack.state import ComponentRecord, StackState, redact_url, state_path

logger = logging.getLogger(__name__)

LOCK_FILE = "stack.lock"
READY_TIMEOUT_S = 60.0
POLL_S = 0.2
LOG_TAIL_LINES = 30
# Every process that may import graphrag or litellm needs these, or imports retry downloads.
CHILD_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# What an embedded server's start raises when it cannot run: the message says what to fix.
START_ERRORS = (ServerStartError, FusekiUnavailable)

StoreKind = Literal["oxigraph", "fuseki"]


@dataclass(frozen=True)
class EmbeddedStore:
    """How ``ferag up`` runs a store kind itself: its name, start function and data folder."""

    name: str
    start: servers.StartServer
    data: str


EMBEDDED_STORES: dict[StoreKind, EmbeddedStore] = {
    "oxigraph": EmbeddedStore("Oxigraph", servers.start_oxigraph, "oxigraph"),
    "fuseki": EmbeddedStore("Apache Jena Fuseki", servers.start_fuseki, "fuseki"),
}


class StackError(RuntimeError):
    """The stack could not start or stopped running; the message says what to do."""


class StackAlreadyRunning(StackError):
    """Another ``ferag up`` runs on the same home."""


class ComponentFailed(StackError):
    """A child did not become ready or exited; the message names it and ends with its log."""

    def __init__(self, name: str, reason: str, log_path: Path | None = None) -> None:
        message = f"{name} {reason}"
        if log_path is not None:
            message += f"\n--- last lines of {log_path} ---\n{log_tail(log_path)}"
        super().__init__(message)
        self.name = name


class _StopRequested(Exception):
    """A stop signal arrived while the stack was starting."""


def describe_exit(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class RestartPolicy:
    """When a dead child starts again: ``first_s`` after its first death, doubling up to
    ``max_s``; a child that stayed up ``reset_after_s`` counts as healthy again."""

    first_s: float = 1.0
    max_s: float = 60.0
    reset_after_s: float = 60.0

    def delay(self, deaths: int) -> float:
        """The wait before restarting a child that died ``deaths`` times in a row (≥ 1)."""
        return float(min(self.max_s, self.first_s * 2 ** min(deaths - 1, 30)))


@dataclass(frozen=True)
class StackPlan:
    """What ``ferag up`` runs: a None URL means "start the embedded server"."""

    home: Path
    database_url: str | None = None
    redis_url: str | None = None
    store_url: str | None = None
    store_kind: StoreKind = "oxigraph"
    llm_base_url: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 2
    worker_concurrency: int = 1
    worker_app: str = "ferag.worker.app"
    ready_timeout_s: float = READY_TIMEOUT_S
    restart: RestartPolicy = RestartPolicy()

    @classmethod
    def from_settings(cls, settings: Settings) -> StackPlan:
        return cls(
            home=settings.home.expanduser().resolve(),
            database_url=settings.database_url or None,
            redis_url=settings.redis_url or None,
            store_url=settings.store_url or None,
            store_kind=settings.store_kind,
            llm_base_url=settings.llm_base_url or None,
            api_host=settings.api_host,
            api_port=settings.api_port,
            api_workers=settings.api_workers,
            worker_concurrency=settings.worker_concurrency,
            restart=RestartPolicy(
                settings.restart_backoff_s,
                settings.restart_backoff_max_s,
                settings.restart_reset_after_s,
            ),
        )

    @property
    def embeds_fuseki(self) -> bool:
        return self.store_kind == "fuseki" and not self.store_url

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    def log_path(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"


@dataclass
class Component:
    """A part of the running stack; ``server`` is None for a server started elsewhere."""

    name: str  # as in the API's /health: database, redis, store, llm, worker, api
    url: str
    description: str
    server: Server | None = None
    stop_timeout_s: float = 15.0
    # Starts the server again on the same address and data; None: not restarted.
    restart: Callable[[], Server] | None = None
    started_at: float = field(default_factory=time.monotonic)
    deaths: int = 0  # in a row, without a long enough run in between
    restart_at: float | None = None  # when a dead child is due to start again

    def record(self) -> ComponentRecord:
        server = self.server
        return ComponentRecord(
            name=self.name,
            url=redact_url(self.url),
            description=self.description,
            pid=server.pid if server else None,
            log=str(server.log_path) if server else None,
        )


# --- lock -----------------------------------------------------------------------------------


@contextmanager
def hold_lock(home: Path) -> Iterator[None]:
    """Hold ``home/stack.lock`` (with our pid in it); refuse if a live ``ferag up`` holds it.

    The lock is an advisory ``flock``, released by the kernel when its holder dies, so a lock
    file left by a killed run is stale and is taken over.
    """
    path = home / LOCK_FILE
    home.mkdir(parents=True, exist_ok=True)
    fd = _lock_fd(path)
    try:
        previous = _read_pid(path)
        if previous and previous != os.getpid():
            logger.info("taking over the stale lock of pid %s (%s)", previous, path)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # unlink before unlocking: a waiter re-checks the inode
        os.close(fd)


def _lock_fd(path: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_pid(path) or "unknown"
            raise StackAlreadyRunning(
                f"ferag up is already running on {path.parent} (pid {holder}); stop it "
                f"(Ctrl-C in its terminal, or `kill {holder}`) or use another FERAG_HOME"
            ) from None
        with suppress(FileNotFoundError):
            if os.fstat(fd).st_ino == path.stat().st_ino:
                return fd
        os.close(fd)  # the holder removed the file while we waited: lock the new one


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --- processes ------------------------------------------------------------------------------


def stop_server(server: Server, timeout: float) -> None:
    """Signal the server's main process, wait, then kill whatever is left of its group."""
    if server.is_running():
        with suppress(ProcessLookupError):
            os.kill(server.pid, server.stop_signal)
        try:
            server.process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %.0f s; killing it", server.name, timeout)
    kill_group(server)


def kill_group(server: Server) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        server.process.wait(5)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def connect_host(host: str) -> str:
    """The address a client uses to reach a server listening on ``host``."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


# --- the supervisor -------------------------------------------------------------------------


class Supervisor:
    """Starts the components of a plan in order, watches them, and stops them in reverse."""

    def __init__(self, plan: StackPlan) -> None:
        self.plan = plan
        self.components: list[Component] = []
        self.api_url = ""
        self.started_at = datetime.now(UTC)
        self.ready_after_s: float | None = None
        self._signals = 0
        self._previous_handlers: dict[int, Any] = {}

    # signals

    def handle_signals(self) -> None:
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._on_signal)

    def restore_signals(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals == 1:
            logger.info("%s: stopping (signal again to kill at once)", signal.Signals(signum).name)
            return
        logger.warning("second signal: killing every component now")
        self.kill_all()
        state_path(self.plan.home).unlink(missing_ok=True)
        os._exit(130)

    @property
    def stop_requested(self) -> bool:
        return self._signals > 0

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise _StopRequested

    # start

    def start(self) -> None:
        """Start every component in order and return once the API's /health answers 200."""
        plan, begin = self.plan, time.monotonic()
        if plan.api_port and not port_is_free(plan.api_host, plan.api_port):
            raise StackError(
                f"port {plan.api_port} on {plan.api_host} is in use; set FERAG_API_PORT to "
                "another port (0 picks a free one)"
            )
        self._check_fuseki_can_run()
        database_url = self._external("database", plan.database_url) or self._start_postgres()
        redis_url = (
            self._external("redis", plan.redis_url)
            or self._start_embedded("redis", "embedded Redis", servers.start_redis, "redis").url
        )
        store_url, store_env = self._start_store()
        llm_url = self._external("llm", plan.llm_base_url) or self._start_standin()
        self._migrate(database_url)
        env = {
            **CHILD_ENV,
            "FERAG_HOME": str(plan.home),
            "FERAG_DATABASE_URL": database_url,
            "FERAG_REDIS_URL": redis_url,
            "FERAG_STORE_KIND": plan.store_kind,
            "FERAG_STORE_URL": store_url,
            "FERAG_LLM_BASE_URL": llm_url,
            **store_env,  # an embedded Fuseki's user and password
        }
        self._start_worker(env)
        self._start_api(env)
        self.ready_after_s = time.monotonic() - begin
        logger.info("stack ready in %.1f s", self.ready_after_s)

    def _external(self, name: str, url: str | None, description: str = "external") -> str | None:
        """Record a server given by URL, which ``ferag up`` uses but does not run."""
        if url:
            self.components.append(Component(name, url, description))
        return url

    def _check_fuseki_can_run(self) -> None:
        """Fail before anything starts when an embedded Fuseki could not: Java is what is most
        often missing, and fetching the jar (first use only) is slow enough to do first."""
        if not self.plan.embeds_fuseki:
            return
        logger.info("checking Java and the Fuseki jar (fetched with Maven on first use)")
        try:
            fuseki_jar.java_binary()
            fuseki_jar.ensure_fuseki_jar()
        except FusekiUnavailable as exc:
            raise StackError(
                f"FERAG_STORE_KIND=fuseki without FERAG_STORE_URL runs Apache Jena Fuseki, which "
                f"cannot run here: {exc}. Or set FERAG_STORE_URL to a running Fuseki, or "
                "FERAG_STORE_KIND=oxigraph"
            ) from exc

    def _start_store(self) -> tuple[str, dict[str, str]]:
        """The store's URL and the settings its clients need beyond the user's own."""
        store = EMBEDDED_STORES[self.plan.store_kind]
        if url := self._external("store", self.plan.store_url, f"external {store.name}"):
            return url, {}
        server = self._start_embedded("store", f"embedded {store.name}", store.start, store.data)
        return server.url, server.env

    def _start_embedded(
        self, name: str, description: str, start: servers.StartServer, data: str
    ) -> Server:
        self._check_stop()
        logger.info("starting %s", description)
        data_dir, log_path = self.plan.home / data, self.plan.log_path(data)
        try:
            server = start(data_dir, log_path)
        except START_ERRORS as exc:
            raise ComponentFailed(name, f"did not start: {exc}") from exc
        port = servers.port_of(server.url)

        def restart() -> Server:  # same port: the other children know the server by its URL
            return start(data_dir, log_path, port)

        self.components.append(Component(name, server.url, description, server, 30.0, restart))
        return server

    def _start_postgres(self) -> str:
        server_url = self._start_embedded(
            "database", "embedded PostgreSQL", servers.start_postgres, "postgres"
        ).url
        from sqlalchemy.exc import SQLAlchemyError

        try:
            database_url = servers.ensure_database(server_url, "ferag")
        except SQLAlchemyError as exc:
            raise ComponentFailed("database", f"cannot create database `ferag`: {exc}") from exc
        self.components[-1].url = database_url
        return database_url

    def _start_standin(self) -> str:
        port = servers.free_port()
        url = f"http://127.0.0.1:{port}/v1"
        argv = [sys.executable, "-m", "uvicorn", "--factory", "ferag.llm.standin:create_app",
                "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
        component = self.spawn("llm", "offline model stand-in (rules, not a model)", argv,
                               "llm-standin", url=url, env=CHILD_ENV)  # fmt: skip
        self.wait_ready(component, lambda: httpx.get(f"{url}/models", timeout=2).is_success)
        return url

    def _migrate(self, database_url: str) -> None:
        from alembic.util import CommandError
        from sqlalchemy.exc import SQLAlchemyError

        from ferag.db import migrate

        self._check_stop()
        logger.info("applying database migrations")
        try:
            migrate.upgrade(database_url)
        except (CommandError, SQLAlchemyError) as exc:
            raise StackError(f"database migrations failed: {exc}") from exc

    def _start_worker(self, env: dict[str, str]) -> None:
        argv = [sys.executable, "-m", "celery", "-A", self.plan.worker_app, "worker",
                "--loglevel", "INFO", "--concurrency", str(self.plan.worker_concurrency),
                "-n", "ferag@%h"]  # fmt: skip
        # Celery's warm shutdown waits for running tasks; acks_late re-queues what is killed.
        self.spawn("worker", "Celery worker", argv, "worker", env=env, stop_timeout_s=30.0)

    def _start_api(self, env: dict[str, str]) -> None:
        plan = self.plan
        port = plan.api_port or servers.free_port()
        self.api_url = f"http://{connect_host(plan.api_host)}:{port}"
        argv = [sys.executable, "-m", "ferag.cli.main", "api"]  # ferag.api.serve
        instance = uuid.uuid4().hex
        api_env = {**env, "FERAG_API_HOST": plan.api_host, "FERAG_API_PORT": str(port),
                   "FERAG_API_WORKERS": str(plan.api_workers), INSTANCE_ENV: instance}  # fmt: skip
        component = self.spawn("api", "FastAPI on uvicorn", argv, "api", url=self.api_url,
                               env=api_env)  # fmt: skip
        last: list[str] = ["no answer"]

        def ready() -> bool:
            live = httpx.get(f"{self.api_url}/health/live", timeout=5)
            answered = live.json().get("instance") if live.status_code == 200 else None
            if answered != instance:  # an older API on this port, or not ours at all
                last[0] = f"/health/live {live.status_code}: instance {answered}"
                return False
            response = httpx.get(f"{self.api_url}/health/ready", timeout=5)
            last[0] = f"/health/ready {response.status_code} {response.text[:500]}"
            return response.status_code == 200

        self.wait_ready(component, ready, what=lambda: f"ready (last: {last[0]})")

    def spawn(
        self,
        name: str,
        description: str,
        argv: list[str],
        log_name: str,
        *,
        url: str = "",
        env: dict[str, str] | None = None,
        stop_timeout_s: float = 15.0,
    ) -> Component:
        """Start a child process as a component; ready-checks are up to the caller."""
        self._check_stop()
        logger.info("starting %s", description)
        log_path = self.plan.log_path(log_name)

        def start() -> Server:
            return Server(name, url, servers.spawn(name, argv, log_path, env=env), log_path)

        component = Component(name, url, description, start(), stop_timeout_s, start)
        self.components.append(component)
        return component

    def wait_ready(
        self,
        component: Component,
        ready: Callable[[], bool],
        what: Callable[[], str] = lambda: "ready",
    ) -> None:
        """Poll ``ready`` until it is true; fail if the child exits or the time runs out."""
        deadline = time.monotonic() + self.plan.ready_timeout_s
        while time.monotonic() < deadline:
            self._check_stop()
            self.check_children(starting=component)
            with suppress(httpx.HTTPError, OSError):
                if ready():
                    return
            time.sleep(POLL_S)
        raise ComponentFailed(
            component.name,
            f"was not {what()} within {self.plan.ready_timeout_s:.0f} s",
            component.server.log_path if component.server else None,
        )

    def check_children(self, starting: Component | None = None) -> None:
        """Raise ComponentFailed for the first child process that has exited."""
        for component in self.components:
            server = component.server
            if server is None or server.is_running():
                continue
            exit_status = describe_exit(server.process.returncode)
            when = "before it was ready" if component is starting else "unexpectedly"
            raise ComponentFailed(
                component.name, f"stopped {when} ({exit_status})", server.log_path
            )

    # run and stop

    def supervise(self) -> None:
        """Restart the children that exit until a stop signal arrives."""
        while not self.stop_requested:
            self.heal()
            time.sleep(POLL_S)

    def heal(self) -> None:
        """One round: schedule a restart of each child found dead, start those that are due."""
        for component in self.components:
            if component.server is None or component.restart is None:
                continue
            if component.restart_at is None:
                if not component.server.is_running():
                    self._schedule_restart(component)
            elif time.monotonic() >= component.restart_at and not self.stop_requested:
                self._restart(component)

    def _schedule_restart(self, component: Component) -> None:
        server = component.server
        assert server is not None
        uptime = time.monotonic() - component.started_at
        kill_group(server)  # what is left of it (pool children, backends) holds ports and files
        if uptime >= self.plan.restart.reset_after_s:
            component.deaths = 0
        component.deaths += 1
        delay = self.plan.restart.delay(component.deaths)
        component.restart_at = time.monotonic() + delay
        logger.error(
            "%s stopped unexpectedly (%s) after %.0f s up; restarting it in %.1f s "
            "(death %d in a row)\n--- last lines of %s ---\n%s",
            component.name,
            describe_exit(server.process.returncode),
            uptime,
            delay,
            component.deaths,
            server.log_path,
            log_tail(server.log_path, 10),
        )

    def _restart(self, component: Component) -> None:
        assert component.restart is not None
        component.restart_at = None
        component.started_at = time.monotonic()
        logger.info("restarting %s", component.name)
        try:
            component.server = component.restart()
        except (*START_ERRORS, OSError) as exc:
            # Its dead server stays in place: the next round schedules another try.
            logger.error("%s did not start again: %s", component.name, exc)
            return
        if self.ready_after_s is not None:  # `ferag status` shows the new pid
            self.state().write(state_path(self.plan.home))
        logger.info("%s restarted (pid %s)", component.name, component.server.pid)

    def stop_all(self) -> None:
        """Stop the components in reverse start order (API first, database last)."""
        for component in reversed(self.components):
            if component.server is not None:
                logger.info("stopping %s", component.name)
                stop_server(component.server, component.stop_timeout_s)

    def kill_all(self) -> None:
        """SIGKILL every child's process group at once, then reap the children."""
        servers_ = [c.server for c in reversed(self.components) if c.server is not None]
        for server in servers_:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(server.pid, signal.SIGKILL)
        for server in servers_:  # reaped now, a restart does not meet their pid files
            with suppress(subprocess.TimeoutExpired):
                server.process.wait(2)

    def state(self) -> StackState:
        return StackState(
            supervisor_pid=os.getpid(),
            started_at=self.started_at.isoformat(timespec="seconds"),
            home=str(self.plan.home),
            api_url=self.api_url,
            llm_standin=self.plan.llm_base_url is None,
            components=tuple(component.record() for component in self.components),
        )


def run_stack(plan: StackPlan, on_ready: Callable[[Supervisor], None]) -> None:
    """Start the stack, call ``on_ready``, and supervise it until a stop signal (then return)
    or a child's failure (then raise ComponentFailed); every child is stopped either way."""
    with hold_lock(plan.home):
        supervisor = Supervisor(plan)
        supervisor.handle_signals()
        try:
            supervisor.start()
            supervisor.state().write(state_path(plan.home))
            on_ready(supervisor)
            supervisor.supervise()
        except _StopRequested:
            logger.info("stop requested while starting")
        finally:
            supervisor.stop_all()
            state_path(plan.home).unlink(missing_ok=True)
            supervisor.restore_signals()
        logger.info("stack stopped")
