"""`ferag users create` without a database to write to says how to give it one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferag.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_server_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [key for key in os.environ if key.startswith("FERAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_without_a_database_url_or_a_running_stack_it_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["users", "create", "--email", "ann@example.org", "--password-stdin", "--home",
         str(tmp_path)],
        input="a strong enough passphrase\n",
    )  # fmt: skip

    assert result.exit_code == 2
    assert "FERAG_DATABASE_URL is not set" in result.output
