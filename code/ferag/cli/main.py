"""The ``ferag`` console script (``ferag = "ferag.cli.main:app"``).

Exit codes: 0 success, 1 the stack failed or is not (fully) running, or a command was refused
(e.g. a weak password for `ferag users create`), 2 invalid settings,
130 `ferag up` killed everything at once on a second Ctrl-C.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated

import typer

from ferag.cli.options import HomeOption, cli_settings
from ferag.cli.pipeline import pipeline as pipeline_command
from ferag.cli.users import users as users_commands
from ferag.logs import configure_logging
from ferag.settings import SettingsError
from ferag.stack.state import StackState, StateFileError, pid_alive, probe, state_path
from ferag.stack.supervisor import StackError, StackPlan, Supervisor, run_stack

logger = logging.getLogger(__name__)

app = typer.Typer(
    name="ferag",
    help="ferag: documents in, a reviewed and versioned knowledge graph out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)


@app.callback()
def main() -> None:
    """ferag: documents in, a reviewed and versioned knowledge graph out."""


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: no wrapping, so URLs stay whole when output is piped."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return ("  " + "  ".join(padded)).rstrip()

    return "\n".join(line(cells) for cells in [headers, *rows])


def _print_ready(supervisor: Supervisor) -> None:
    state = supervisor.state()
    rows = [
        (record.name, record.url or "-", record.description
         + (f" (pid {record.pid})" if record.pid else ""))
        for record in state.components
    ]  # fmt: skip
    typer.echo(f"\nferag is up in {supervisor.ready_after_s or 0:.1f} s (home {state.home})\n")
    typer.echo(format_table(("component", "url", "runs as"), rows))
    typer.echo(f"\nlogs: {supervisor.plan.logs_dir}/*.log")
    if state.llm_standin:
        typer.echo(
            "LLM: the offline model stand-in (deterministic rules, not a model); "
            "set FERAG_LLM_BASE_URL to use a real model server"
        )
    typer.echo(f"API: {state.api_url}")
    typer.echo("Press Ctrl-C to stop the stack.")


@app.command()
def up(home: HomeOption = None) -> None:
    """Run the local stack (embedded servers for every URL left empty, worker, API) until Ctrl-C."""
    settings = cli_settings(home)
    configure_logging(settings.log_level, as_json=settings.log_json)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        run_stack(StackPlan.from_settings(settings), on_ready=_print_ready)
    except StackError as exc:
        typer.echo(f"ferag up failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("ferag stopped.")


@app.command()
def status(home: HomeOption = None) -> None:
    """Show whether each component of the stack that `ferag up` runs is up (exit 0 if all are)."""
    path = state_path(cli_settings(home).home.expanduser().resolve())
    try:
        state = StackState.read(path)
    except StateFileError as exc:
        typer.echo(f"ferag: {exc}", err=True)
        raise typer.Exit(1) from None
    if state is None:
        typer.echo(f"ferag is not running here: no {path}. Start it with `ferag up`.", err=True)
        raise typer.Exit(1)
    statuses = [probe(record) for record in state.components]
    rows = [(s.name, "up" if s.is_up else "DOWN", s.url or "-", s.detail) for s in statuses]
    typer.echo(f"ferag up (pid {state.supervisor_pid}) since {state.started_at}, home {state.home}")
    typer.echo(format_table(("component", "state", "url", "detail"), rows))
    if not pid_alive(state.supervisor_pid):
        typer.echo(
            f"ferag up (pid {state.supervisor_pid}) is not running; {path} was left by a run "
            "that did not stop cleanly: delete it and run `ferag up` again",
            err=True,
        )
        raise typer.Exit(1)
    down = [s.name for s in statuses if not s.is_up]
    if down:
        typer.echo(f"down: {', '.join(down)} (logs in {state.home}/logs)", err=True)
        raise typer.Exit(1)
    typer.echo("all components are up")


@app.command()
def api(home: HomeOption = None) -> None:
    """Serve the API on FERAG_API_HOST:FERAG_API_PORT with FERAG_API_WORKERS processes
    (deployments; `ferag up` runs it itself)."""
    from ferag.api.serve import serve

    serve(cli_settings(home))


@app.command()
def migrate(home: HomeOption = None) -> None:
    """Apply database migrations to FERAG_DATABASE_URL (deployments; `ferag up` does it itself)."""
    from ferag.db import migrate as migrations

    settings = cli_settings(home)
    configure_logging(settings.log_level, as_json=settings.log_json)
    try:
        migrations.upgrade(settings.require("database_url"))
    except SettingsError as exc:
        typer.echo(f"ferag: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo("database is at the latest migration")


@app.command()
def mcp(
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            envvar="FERAG_API_KEY",
            help="A ferag API key (frg_…); the tools act as its user. Prefer the env variable: "
            "an option shows in the process list.",
            show_default=False,
        ),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Serve ferag's MCP tools over stdio, for an MCP client that starts this command (Claude
    Desktop and others; see docs/mcp.md). Needs FERAG_DATABASE_URL, FERAG_REDIS_URL,
    FERAG_STORE_URL (and FERAG_LLM_BASE_URL for model answers), as the API does."""
    from ferag.errors import FeragError
    from ferag.mcp.stdio import check_key, open_runtime, serve_stdio

    if not key:
        typer.echo("ferag: set FERAG_API_KEY (or --key) to a ferag API key", err=True)
        raise typer.Exit(2)
    settings = cli_settings(home)
    # Standard output is the protocol's: logs go to standard error.
    configure_logging(settings.log_level, as_json=settings.log_json)
    try:
        with open_runtime(settings) as runtime:
            typer.echo(f"ferag mcp: serving {check_key(runtime, key)} over stdio", err=True)
            serve_stdio(runtime, key)
    except SettingsError as exc:
        typer.echo(f"ferag: {exc}", err=True)
        raise typer.Exit(2) from None
    except FeragError as exc:
        typer.echo(f"ferag: {exc.message}", err=True)
        raise typer.Exit(1) from None


app.command("pipeline")(pipeline_command)
app.add_typer(users_commands, name="users")

if __name__ == "__main__":
    app()
