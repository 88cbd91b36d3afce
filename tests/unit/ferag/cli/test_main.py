"""`ferag status` and the settings errors of `ferag up`, without starting a stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferag.cli.main import app, format_table
from ferag.stack.state import ComponentRecord, StackState, state_path

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_server_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [key for key in os.environ if key.startswith("FERAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_status_says_nothing_runs_without_a_stack_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert "ferag is not running here" in result.output
    assert "ferag up" in result.output


def test_status_reports_a_stack_file_left_by_a_dead_run(tmp_path: Path) -> None:
    StackState(
        supervisor_pid=_dead_pid(),
        started_at="2026-01-01T00:00:00+00:00",
        home=str(tmp_path),
        api_url="http://127.0.0.1:9",
        llm_standin=True,
        components=(ComponentRecord("worker", "", "Celery worker", pid=_dead_pid()),),
    ).write(state_path(tmp_path))

    result = runner.invoke(app, ["status", "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert "DOWN" in result.output
    assert "did not stop cleanly" in result.output


def test_status_is_zero_when_every_component_is_up(tmp_path: Path) -> None:
    StackState(
        supervisor_pid=os.getpid(),
        started_at="2026-01-01T00:00:00+00:00",
        home=str(tmp_path),
        api_url="",
        llm_standin=False,
        components=(ComponentRecord("worker", "", "Celery worker", pid=os.getpid()),),
    ).write(state_path(tmp_path))

    result = runner.invoke(app, ["status", "--home", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "all components are up" in result.output


def test_up_refuses_invalid_settings_with_exit_code_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERAG_API_PORT", "99999")

    result = runner.invoke(app, ["up"])

    assert result.exit_code == 2
    assert "FERAG_API_PORT" in result.output


def test_up_with_fuseki_but_no_java_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FERAG_STORE_KIND", "fuseki")
    monkeypatch.setenv("FERAG_API_PORT", "0")
    monkeypatch.setenv("FERAG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no mvn

    result = runner.invoke(app, ["up", "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert "ferag up failed: FERAG_STORE_KIND=fuseki without FERAG_STORE_URL" in result.output
    assert "install Java 17+" in result.output
    assert not (tmp_path / "postgres").exists()


def test_format_table_aligns_columns_without_trailing_spaces() -> None:
    table = format_table(("a", "bb"), [("xxx", "y"), ("z", "")])

    assert table.splitlines() == ["  a    bb", "  xxx  y", "  z"]
