"""`POST /api/v1/dev/token`: development-only token minting for the playground.

Installed only when the server runs in development mode (no EDM_JWT_SECRET
or EDM_JWT_PUBLIC_KEY; tokens are signed with the local dev secret), so in
production the path does not exist and answers 404. It grants nothing that
`edm token` on the same machine does not: whoever can reach a development
server can already act as anyone in it.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import FastAPI, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from starlette.responses import Response

from edm.errors import Forbidden, ValidationFailed
from edm.identity import Role
from edm.server.auth import MAX_CLAIM_LENGTH, mint_token
from edm.server.body import field_errors, read_json_object
from edm.server.serialize import JSONResponse
from edm.settings import Settings

DEV_TOKEN_PATH = "/api/v1/dev/token"
DEV_TOKEN_TTL_SECONDS = 8 * 3600


def _claim_text(value: str) -> str:
    """The rule the verifier applies to `sub` and `tenant_id` (see auth._claim)."""
    if not value or value != value.strip() or "\x00" in value or len(value) > MAX_CLAIM_LENGTH:
        raise ValueError(
            f"must be 1..{MAX_CLAIM_LENGTH} characters without surrounding spaces or NUL bytes"
        )
    return value


ClaimText = Annotated[str, AfterValidator(_claim_text)]


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: ClaimText
    sub: ClaimText
    roles: list[Role] | None = None


def _is_loopback(name: str) -> bool:
    """`localhost`, or a literal loopback address (127.0.0.0/8, ::1); never a DNS name."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The name in a Host header: without its port, IPv6 without its brackets."""
    if host.startswith("["):
        name, bracket, port = host[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdecimal())):
            return ""
        return name
    name, _, port = host.partition(":")
    return name if not port or port.isdecimal() else ""


def _from_this_machine(request: Request) -> bool:
    """The caller and the name it used are both local (no remote or DNS-rebound use)."""
    client = request.client.host if request.client else ""
    return _is_loopback(client) and _is_loopback(_host_name(request.headers.get("host", "")))


def install_dev_tokens(app: FastAPI, settings: Settings) -> None:
    """Add the minting endpoint; call only in development mode."""
    secret = settings.signing_secret
    if not settings.dev_mode or secret is None:
        raise RuntimeError("the development token endpoint needs development mode and its secret")

    @app.post(DEV_TOKEN_PATH, include_in_schema=False)
    async def mint_dev_token(request: Request) -> Response:
        if not _from_this_machine(request):
            raise Forbidden("Development tokens are minted only for callers on this machine")
        body = await read_json_object(request, required=True)
        try:
            claims = DevTokenRequest.model_validate(body)
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc.errors())) from None
        token = mint_token(
            secret,
            tenant_id=claims.tenant_id,
            subject=claims.sub,
            roles=[r.value for r in claims.roles] if claims.roles else None,
            ttl_seconds=DEV_TOKEN_TTL_SECONDS,
        )
        return JSONResponse(
            {"token": token, "token_type": "Bearer", "expires_in": DEV_TOKEN_TTL_SECONDS}
        )
