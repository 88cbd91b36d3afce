"""deploy/fuseki's entrypoint and health check, run here with the pinned jar instead of in the
image (no Docker daemon needed): the admin password comes from the environment at every start,
the admin API answers other hosts (the API and worker containers), and nothing else gets in.

Without Java or the jar the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ferag.stack import servers
from ferag.stack.fuseki_jar import FusekiUnavailable, ensure_fuseki_jar, java_binary

FUSEKI_DIR = Path(__file__).parents[3] / "deploy" / "fuseki"


@pytest.fixture(scope="module")
def fuseki_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the image has in /opt/fuseki: the jar and our shiro.ini."""
    try:
        java_binary()
        jar = ensure_fuseki_jar()
    except FusekiUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Fuseki tests must run under CI: {exc}")
        pytest.skip(f"Fuseki tests skipped: {exc}")
    home = tmp_path_factory.mktemp("opt-fuseki")
    (home / "fuseki-server.jar").symlink_to(jar)
    shutil.copy(FUSEKI_DIR / "shiro.ini", home)
    return home


def outside_address() -> str:
    """An address of this machine other than loopback, as another container would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        address = str(probe.getsockname()[0])
    if address.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    return address


class Container:
    """The entrypoint as a child process, with the image's paths moved under ``root``."""

    def __init__(self, fuseki_home: Path, root: Path) -> None:
        self.port = servers.free_port()
        self.env = {"FUSEKI_HOME": str(fuseki_home), "FUSEKI_BASE": str(root / "volume"),
                    "FUSEKI_RUN": str(root / "run"), "FUSEKI_PORT": str(self.port),
                    "JVM_ARGS": "-Xmx512m"}  # fmt: skip
        self.log = root / "fuseki.log"

    def start(self, password: str) -> servers.Server:
        argv = [str(FUSEKI_DIR / "entrypoint.sh")]
        env = {**self.env, "FUSEKI_ADMIN_PASSWORD": password}
        process = servers.spawn("fuseki", argv, self.log, env=env)
        server = servers.Server("fuseki", f"http://127.0.0.1:{self.port}", process, self.log)
        servers.wait_until(lambda: self.healthcheck().returncode == 0, server, interval=0.5)
        return server

    def healthcheck(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FUSEKI_DIR / "healthcheck.sh")], env={**os.environ, **self.env},
                              capture_output=True, text=True, timeout=30)  # fmt: skip

    def admin_status(self, password: str, host: str = "127.0.0.1") -> int:
        url = f"http://{host}:{self.port}/$/datasets"
        return httpx.get(url, auth=("admin", password), timeout=10).status_code


@pytest.fixture()
def container(fuseki_home: Path, tmp_path: Path) -> Iterator[Container]:
    yield Container(fuseki_home, tmp_path)


def test_the_password_is_applied_at_every_start_and_other_hosts_reach_the_admin_api(
    container: Container, tmp_path: Path
) -> None:
    host = outside_address()
    first = container.start("first-password-1")
    try:
        created = httpx.post(f"http://{host}:{container.port}/$/datasets", timeout=30,
                             auth=("admin", "first-password-1"),
                             data={"dbName": "ferag-00001", "dbType": "tdb2"})  # fmt: skip
        assert created.status_code == 200, created.text
        assert container.admin_status("wrong", host) == 401
        assert httpx.get(f"http://{host}:{container.port}/$/ping").status_code == 401
    finally:
        first.stop()

    second = container.start("second-password-2")  # same volume, new password
    try:
        assert container.admin_status("second-password-2", host) == 200
        assert container.admin_status("first-password-1", host) == 401
        listed = httpx.get(f"http://{host}:{container.port}/$/datasets/ferag-00001", timeout=10,
                           auth=("admin", "second-password-2"))  # fmt: skip
        assert listed.status_code == 200, listed.text
    finally:
        second.stop()
    volume = tmp_path / "volume"
    assert not any(
        b"second-password-2" in path.read_bytes() for path in volume.rglob("*") if path.is_file()
    )  # the password lives outside the volume


def test_a_password_jetty_would_misread_is_refused(container: Container) -> None:
    result = subprocess.run([str(FUSEKI_DIR / "entrypoint.sh")], capture_output=True, text=True,
                            env={**os.environ, **container.env,
                                 "FUSEKI_ADMIN_PASSWORD": "secret,admin"}, timeout=30)  # fmt: skip

    assert result.returncode == 64
    assert "openssl rand -hex 32" in result.stderr


def test_a_missing_password_is_refused(container: Container) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FUSEKI_ADMIN")}
    result = subprocess.run([str(FUSEKI_DIR / "entrypoint.sh")], capture_output=True, text=True,
                            env={**env, **container.env}, timeout=30)  # fmt: skip

    assert result.returncode == 64
    assert "set FUSEKI_ADMIN_PASSWORD" in result.stderr
