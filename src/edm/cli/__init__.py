"""The `edm` command line: serve, database, tokens, the helpdesk resources and applications."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from edm.cli.apps import apps_app
from edm.cli.database import db_app
from edm.cli.errors import CLIError
from edm.cli.importer import import_app
from edm.cli.output import api_error_line
from edm.cli.seed import seed
from edm.cli.serve import serve
from edm.cli.tickets import tickets_app
from edm.cli.token import token
from edm.client import APIError

app = typer.Typer(
    name="edm",
    help="EDM: an API-first helpdesk. Start with `edm serve`, then `edm token`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(serve)
app.command()(token)
app.command()(seed)
app.add_typer(db_app, name="db")
app.add_typer(tickets_app, name="tickets")
app.add_typer(apps_app, name="apps")
app.add_typer(import_app, name="import")


def main() -> None:
    """Console entry point: errors are one line on stderr, never a traceback."""
    try:
        app()
    except CLIError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
    except ValidationError as exc:  # EDM_* settings that do not parse
        problems = "; ".join(
            f"EDM_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        typer.secho(f"error: invalid configuration: {problems}", err=True, fg=typer.colors.RED)
        sys.exit(1)
    except APIError as exc:
        typer.secho(f"error: {api_error_line(exc)}", err=True, fg=typer.colors.RED)
        sys.exit(1)
