"""`edm db upgrade`: apply schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from edm.cli.errors import CLIError
from edm.settings import Settings
from edm.store.migrate import head_revision, upgrade

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)

DatabaseURL = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: EDM_DATABASE_URL or ./edm.db)."),
]


def display_url(url: str) -> str:
    """The URL without its password; a CLIError if it is not a database URL at all."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise CLIError(f"not a database URL: {url!r}") from None


def first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message, first line only."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def migrate(url: str) -> None:
    """Upgrade the database at `url`, as one CLIError line on failure."""
    shown = display_url(url)
    try:
        upgrade(url)
    except SQLAlchemyError as exc:
        raise CLIError(f"cannot migrate {shown}: {first_line(exc)}") from None


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseURL = None) -> None:
    """Bring the database schema to the newest revision."""
    url = database_url or Settings().database_url
    migrate(url)
    typer.echo(f"{display_url(url)} is at schema revision {head_revision()} (newest)")
