"""`edm serve`: migrate when appropriate, then run the API with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from edm.cli.database import DatabaseURL, display_url, first_line, migrate
from edm.cli.errors import CLIError
from edm.server.auth import ConfigurationError, TokenVerifier
from edm.server.workers import PortInUse, claim_port, serve_app
from edm.settings import Settings, ensure_dev_secret
from edm.store.database import build_engine
from edm.store.migrate import is_up_to_date


def _check_schema(settings: Settings, force_migrate: bool) -> None:
    """Embedded SQLite files migrate on start; server databases only with --migrate."""
    url = settings.database_url
    if force_migrate or url.startswith("sqlite"):
        migrate(url)
        return
    shown = display_url(url)
    engine = build_engine(url, pool_size=1)
    try:
        current = is_up_to_date(engine)
    except SQLAlchemyError as exc:
        raise CLIError(f"cannot reach {shown}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    if not current:
        raise CLIError(
            f"the database {display_url(url)} is not migrated: run `edm db upgrade` "
            "(or start with --migrate)"
        )


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseURL = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes, each accepting its share of connections.")
    ] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate", help="Apply migrations before starting.")
    ] = False,
) -> None:
    """Run the EDM API server (default database: ./edm.db)."""
    if database_url:
        # Workers are separate processes: they read their settings from the environment.
        os.environ["EDM_DATABASE_URL"] = database_url
    settings = Settings()
    if settings.dev_mode:
        _, created = ensure_dev_secret(settings.dev_secret_file)
        state = "created" if created else "using"
        typer.echo(
            f"Development mode: {state} token secret {settings.dev_secret_file}; "
            "mint a token with `edm token --tenant acme --sub alice`"
        )
        settings = Settings()
    try:
        TokenVerifier(settings)
    except ConfigurationError as exc:
        raise CLIError(str(exc)) from None
    try:
        claim_port(host, port)  # checked again when serving; first, before any migration
        _check_schema(settings, migrate_first)
        typer.echo(f"Database: {display_url(settings.database_url)}")
        typer.echo(f"API: http://{host}:{port}/api/v1  Playground: http://{host}:{port}/playground")
        serve_app(
            "edm.server.app:create_app",
            host=host,
            port=port,
            workers=workers,
            factory=True,
            log_level="info",
            access_log=False,
        )
    except PortInUse as exc:
        raise CLIError(exc.strerror or str(exc)) from None
