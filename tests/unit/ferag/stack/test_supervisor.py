"""The supervisor's process handling with small real child processes (no servers)."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Literal

import pytest

from ferag.settings import Settings
from ferag.stack.state import StackState, pid_alive, redact_url, state_path
from ferag.stack.supervisor import (
    LOCK_FILE,
    Component,
    ComponentFailed,
    RestartPolicy,
    StackAlreadyRunning,
    StackError,
    StackPlan,
    Supervisor,
    hold_lock,
)

SLEEP = [sys.executable, "-c", "import time; time.sleep(120)"]
FAIL_AT_ONCE = [sys.executable, "-c", "print('flaky: cannot bind the port'); raise SystemExit(3)"]


@pytest.fixture()
def supervisor(tmp_path: Path) -> Supervisor:
    return Supervisor(StackPlan(home=tmp_path, ready_timeout_s=5))


def _server(component: Component) -> subprocess.Popen[bytes]:
    assert component.server is not None
    return component.server.process


def test_a_child_that_exits_is_restarted_with_a_growing_back_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    policy = RestartPolicy(first_s=0.3, max_s=0.6, reset_after_s=30)
    supervisor = Supervisor(StackPlan(home=tmp_path, ready_timeout_s=5, restart=policy))
    starts = tmp_path / "starts"
    counting = [sys.executable, "-c",
                f"open({str(starts)!r}, 'a').write('x'); print('flaky: cannot bind the port'); "
                "raise SystemExit(3)"]  # fmt: skip
    steady = supervisor.spawn("steady", "a long runner", SLEEP, "steady")
    supervisor.spawn("flaky", "a child that exits at once", counting, "flaky")
    steady_pid = _server(steady).pid

    with caplog.at_level(logging.INFO, logger="ferag.stack.supervisor"):
        deadline = time.monotonic() + 20
        while not starts.exists() or len(starts.read_text()) < 4:
            assert time.monotonic() < deadline, "not restarted"
            supervisor.heal()
            time.sleep(0.05)
    supervisor.stop_all()

    restarts = [r.getMessage() for r in caplog.records if "restarting it in" in r.getMessage()]
    delays = [re.search(r"restarting it in ([\d.]+) s", m).group(1) for m in restarts]  # type: ignore[union-attr]
    assert delays[:3] == ["0.3", "0.6", "0.6"]
    first = next(r.getMessage() for r in caplog.records if "stopped unexpectedly" in r.getMessage())
    assert first.startswith("flaky stopped unexpectedly (exit code 3)")
    assert "flaky: cannot bind the port" in first
    assert _server(steady).pid == steady_pid  # the others were left alone


def test_a_child_that_stayed_up_restarts_after_the_first_wait_again(tmp_path: Path) -> None:
    policy = RestartPolicy(first_s=0.2, max_s=60, reset_after_s=0.5)
    supervisor = Supervisor(StackPlan(home=tmp_path, ready_timeout_s=5, restart=policy))
    child = supervisor.spawn("worker", "a child we kill", SLEEP, "worker")
    child.deaths = 5  # it had crashed often before this run
    time.sleep(0.6)
    os.kill(_server(child).pid, signal.SIGKILL)
    _server(child).wait()

    supervisor.heal()  # notices the death
    assert child.deaths == 1
    time.sleep(0.3)
    supervisor.heal()  # starts it again
    restarted = _server(child)
    supervisor.stop_all()

    assert restarted.pid != 0 and child.restart_at is None
    assert restarted.returncode is not None  # stopped by stop_all, so it had been running


def test_back_off_doubles_up_to_its_cap() -> None:
    policy = RestartPolicy(first_s=1, max_s=60, reset_after_s=60)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.delay(10_000) == 60


def test_a_child_that_exits_before_it_is_ready_is_reported(supervisor: Supervisor) -> None:
    flaky = supervisor.spawn("flaky", "a child that exits at once", FAIL_AT_ONCE, "flaky")

    with pytest.raises(ComponentFailed) as caught:
        supervisor.wait_ready(flaky, lambda: False)

    assert str(caught.value).startswith("flaky stopped before it was ready (exit code 3)")
    assert "cannot bind the port" in str(caught.value)


def test_another_child_that_exits_while_one_starts_is_reported(supervisor: Supervisor) -> None:
    supervisor.spawn("flaky", "a child that exits at once", FAIL_AT_ONCE, "flaky")
    slow = supervisor.spawn("slow", "a child that never answers", SLEEP, "slow")

    with pytest.raises(ComponentFailed) as caught:
        supervisor.wait_ready(slow, lambda: False)
    supervisor.stop_all()

    assert caught.value.name == "flaky"
    assert str(caught.value).startswith("flaky stopped unexpectedly (exit code 3)")


def test_a_child_that_never_gets_ready_times_out(tmp_path: Path) -> None:
    supervisor = Supervisor(StackPlan(home=tmp_path, ready_timeout_s=0.5))
    slow = supervisor.spawn("slow", "a child that never answers", SLEEP, "slow")

    with pytest.raises(ComponentFailed, match=r"^slow was not ready within 0 s"):
        supervisor.wait_ready(slow, lambda: False)
    supervisor.stop_all()

    assert _server(slow).poll() is not None


def test_stop_all_stops_in_reverse_order_and_leaves_no_process(supervisor: Supervisor) -> None:
    # Each child records when it got SIGTERM, then exits.
    script = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    open(sys.argv[1], 'a').write(f'{time.monotonic_ns()}\\n'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "time.sleep(120)\n"
    )
    names = ["first", "second", "third"]
    marks = {name: supervisor.plan.home / f"{name}.stopped" for name in names}
    components = [
        supervisor.spawn(name, name, [sys.executable, "-c", script, str(marks[name])], name)
        for name in names
    ]
    time.sleep(0.5)  # let the children install their handlers

    supervisor.stop_all()

    stopped_at = {name: int(marks[name].read_text()) for name in names}
    assert sorted(names, key=stopped_at.__getitem__) == ["third", "second", "first"]
    assert all(_server(component).returncode == 0 for component in components)
    assert not any(pid_alive(_server(component).pid) for component in components)


def test_grandchildren_are_killed_with_their_group(supervisor: Supervisor) -> None:
    # SIGTERM reaches only the child; its own child, left in the group, must not survive.
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "open(sys.argv[1], 'w').write(str(child.pid))\n"
        "time.sleep(120)\n"
    )
    pid_file = supervisor.plan.home / "grandchild.pid"
    supervisor.spawn("parent", "parent", [sys.executable, "-c", script, str(pid_file)], "parent")
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())

    supervisor.stop_all()

    deadline = time.monotonic() + 5
    while _alive_not_zombie(grandchild):
        assert time.monotonic() < deadline, "the grandchild survived"
        time.sleep(0.05)


def _alive_not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_state_lists_every_component_with_masked_passwords(supervisor: Supervisor) -> None:
    supervisor.components.append(
        Component("database", "postgresql://ferag:secret@db:5432/ferag", "external")
    )
    child = supervisor.spawn("worker", "Celery worker", SLEEP, "worker")

    path = state_path(supervisor.plan.home)
    supervisor.state().write(path)
    state = StackState.read(path)
    supervisor.stop_all()

    assert state is not None
    assert state.supervisor_pid == os.getpid()
    assert [record.name for record in state.components] == ["database", "worker"]
    assert state.components[0].url == "postgresql://ferag:***@db:5432/ferag"
    assert state.components[0].pid is None
    assert state.components[1].pid == _server(child).pid
    assert "secret" not in path.read_text()


def test_redact_url_leaves_urls_without_password_alone() -> None:
    assert redact_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redact_url("http://admin:pw@fuseki:3030") == "http://admin:***@fuseki:3030"


def test_a_second_stack_on_the_same_home_is_refused(tmp_path: Path) -> None:
    with hold_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
        with pytest.raises(StackAlreadyRunning, match=f"pid {os.getpid()}"), hold_lock(tmp_path):
            pass
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_lock_held_by_another_live_process_is_refused(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from ferag.stack.supervisor import hold_lock\n"
        "with hold_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(StackAlreadyRunning, match=f"pid {holder.pid}"), hold_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()

    with hold_lock(tmp_path):  # the holder died without cleaning up: its lock is stale
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())


def test_fuseki_without_a_url_is_planned_as_an_embedded_server(tmp_path: Path) -> None:
    embedded = StackPlan.from_settings(Settings(home=tmp_path, store_kind="fuseki"))
    external = StackPlan.from_settings(
        Settings(home=tmp_path, store_kind="fuseki", store_url="http://fuseki:3030")
    )

    assert embedded.store_kind == "fuseki" and embedded.embeds_fuseki
    assert external.store_url == "http://fuseki:3030" and not external.embeds_fuseki


def test_embedded_fuseki_without_java_fails_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no mvn
    monkeypatch.setenv("FERAG_CACHE_DIR", str(tmp_path / "cache"))
    supervisor = Supervisor(StackPlan(home=tmp_path, store_kind="fuseki", api_port=0))

    with pytest.raises(StackError) as caught:
        supervisor.start()

    message = str(caught.value)
    assert "FERAG_STORE_KIND=fuseki" in message
    assert "install Java 17+" in message and "FERAG_STORE_KIND=oxigraph" in message
    assert supervisor.components == []
    assert not (tmp_path / "postgres").exists()


@pytest.mark.parametrize(
    ("kind", "description"),
    [("fuseki", "external Apache Jena Fuseki"), ("oxigraph", "external Oxigraph")],
)
def test_a_store_given_by_url_is_used_as_it_is_and_named_by_kind(
    tmp_path: Path, kind: Literal["oxigraph", "fuseki"], description: str
) -> None:
    supervisor = Supervisor(StackPlan(home=tmp_path, store_kind=kind, store_url="http://s:3030"))

    url, env = supervisor._start_store()

    assert (url, env) == ("http://s:3030", {})  # the user's own settings carry its password
    assert [(c.name, c.description, c.server) for c in supervisor.components] == [
        ("store", description, None)
    ]
