"""`edm token`: sign a development token with the configured HS256 secret."""

from __future__ import annotations

from typing import Annotated

import typer

from edm.cli.errors import CLIError
from edm.identity import Role
from edm.server.auth import mint_token
from edm.settings import Settings


def token(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant_id claim.")],
    sub: Annotated[str, typer.Option("--sub", help="sub claim: the caller's person id.")],
    app: Annotated[str | None, typer.Option("--app", help="app_id claim (integration).")] = None,
    role: Annotated[
        list[Role] | None, typer.Option("--role", help="Role; repeat for several (default agent).")
    ] = None,
    ttl: Annotated[int, typer.Option("--ttl", min=1, help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print a signed bearer token (uses EDM_JWT_SECRET or the development secret)."""
    settings = Settings()
    if settings.jwt_public_key is not None and settings.jwt_secret is None:
        raise CLIError(
            "the server verifies RS256/ES256 tokens; mint them with your identity provider"
        )
    secret = settings.signing_secret
    if secret is None:
        raise CLIError(
            f"no signing secret: set EDM_JWT_SECRET, or run `edm serve` once to create "
            f"{settings.dev_secret_file}"
        )
    roles = [r.value for r in role] if role else None
    typer.echo(
        mint_token(secret, tenant_id=tenant, subject=sub, app_id=app, roles=roles, ttl_seconds=ttl)
    )
