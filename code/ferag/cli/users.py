"""``ferag users``: accounts an administrator manages from the server, e.g. when registration
is closed (``FERAG_REGISTRATION=closed``). Talks to the database of FERAG_DATABASE_URL directly,
or to the one of the ``ferag up`` running on the home."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from ferag.cli.options import HomeOption, cli_settings
from ferag.db.engine import make_engine, make_session_factory
from ferag.errors import FeragError
from ferag.services import accounts
from ferag.settings import Settings
from ferag.stack.state import StackState, StateFileError, state_path

users = typer.Typer(help="Manage accounts (e.g. when registration is closed).")


@users.command("create")
def create(
    email: Annotated[str, typer.Option("--email", help="Email the user logs in with.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
    full_name: Annotated[str | None, typer.Option("--full-name", help="Display name.")] = None,
    home: HomeOption = None,
) -> None:
    """Create an account (prompts for the password unless --password-stdin); the password must
    pass the same strength check as registration. Exit 1 if it is refused, 2 on bad settings."""
    settings = cli_settings(home)
    database_url = _database_url(settings)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as db:
            user = accounts.register_user(
                db, email, password, full_name, min_password_score=settings.password_min_score
            )
            typer.echo(f"created user {user.id} <{user.email}>")
    except FeragError as exc:
        typer.echo(f"ferag: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except OperationalError as exc:
        typer.echo(f"ferag: cannot reach the database ({database_url}): {exc.orig}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _database_url(settings: Settings) -> str:
    """FERAG_DATABASE_URL, else the database of the ``ferag up`` running on the home."""
    if settings.database_url:
        return settings.database_url
    try:
        state = StackState.read(state_path(settings.home.expanduser().resolve()))
    except StateFileError:
        state = None
    running = [c.url for c in state.components if c.name == "database"] if state else []
    if running and "***" not in running[0]:
        return running[0]
    typer.echo(
        "ferag: FERAG_DATABASE_URL is not set and no `ferag up` runs on this home; "
        "set it to the database of the server",
        err=True,
    )
    raise typer.Exit(2)
