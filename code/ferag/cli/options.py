"""What every ``ferag`` command shares: the ``--home`` option and reading Settings with the
CLI's exit code for invalid ones (2). Commands import this module, never each other."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ferag.settings import Settings, SettingsError, load_settings

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Data directory; default FERAG_HOME or ~/.ferag.", show_default=False
    ),
]


def cli_settings(home: Path | None) -> Settings:
    """Settings for a command; exit 2 with the reason if they are invalid."""
    try:
        return load_settings(**({"home": home} if home else {}))
    except SettingsError as exc:
        typer.echo(f"ferag: {exc}", err=True)
        raise typer.Exit(2) from None
