"""Tokens EDM issues for API keys: the client credentials grant (RFC 6749 §4.4).

`POST /api/v1/oauth/token` takes `grant_type=client_credentials`, the key
as `client_secret` and the application id as `client_id` (in the form or
in HTTP Basic), and answers a JWT signed by this server: `sub` and
`app_id` are the application id, with its `tenant_id`, `roles`, `scope`
(space-separated), `iss` (`EDM_JWT_ISSUED_BY`), `exp`, and `key_id`, the
key it was issued for. Errors follow §5.2; every invalid credential is the
same `invalid_client`.

The signing key is `EDM_JWT_SIGNING_KEY` (a PEM private key: RS256 for
RSA, ES256 for P-256), else the HS256 secret (`EDM_JWT_SECRET`, or the
development secret). The token verifier accepts these tokens beside the
external issuer's, and then checks on each use that their key and
application still work (`edm.server.api_keys`).
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edm.errors import Unauthorized
from edm.manifest import SCOPES
from edm.manifest.applications import ALL_SCOPES
from edm.settings import Settings
from edm.store.credentials import StoredCredential

TOKEN_PATH = "/api/v1/oauth/token"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 10
MAX_SCOPE_CLAIM_ITEMS = 100


class TokenConfigurationError(RuntimeError):
    """`EDM_JWT_SIGNING_KEY` cannot sign tokens."""


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """How this server signs its tokens, and how it recognises and checks them."""

    signing_key: Any
    verification_key: Any
    algorithm: str
    issuer: str
    ttl_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> IssuedTokens | None:
        """None when there is nothing to sign with (only an external public key)."""
        issuer, ttl = settings.jwt_issued_by, settings.access_token_ttl_seconds
        if settings.jwt_signing_key is not None:
            pem = settings.jwt_signing_key.get_secret_value().encode()
            try:
                key = load_pem_private_key(pem, password=None)
            except (ValueError, TypeError) as exc:
                raise TokenConfigurationError(
                    f"EDM_JWT_SIGNING_KEY is not an unencrypted PEM private key: {exc}"
                ) from exc
            if isinstance(key, rsa.RSAPrivateKey):
                return cls(key, key.public_key(), "RS256", issuer, ttl)
            if isinstance(key, ec.EllipticCurvePrivateKey):
                return cls(key, key.public_key(), "ES256", issuer, ttl)
            raise TokenConfigurationError("EDM_JWT_SIGNING_KEY must be an RSA or EC (P-256) key")
        secret = settings.signing_secret
        if not secret:
            return None
        return cls(secret, secret, "HS256", issuer, ttl)

    def signed(self, token: str) -> bool:
        """Whether `token` says this server issued it (checked by verifying it)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return False
        return isinstance(claims, dict) and claims.get("iss") == self.issuer

    def issue(self, credential: StoredCredential, scopes: tuple[str, ...]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": credential.application_id,
            "app_id": credential.application_id,
            "client_id": credential.application_id,
            "tenant_id": credential.tenant_id,
            "roles": list(credential.roles),
            "scope": " ".join(scopes),
            "key_id": credential.key_id,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.signing_key, algorithm=self.algorithm)


def token_scopes(claims: dict[str, Any]) -> frozenset[str] | None:
    """The `scope` claim (space-separated, RFC 8693), or None: every scope."""
    raw = claims.get("scope")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Unauthorized("Token claim 'scope' must be a space-separated string")
    scopes = raw.split()
    if len(scopes) > MAX_SCOPE_CLAIM_ITEMS:
        raise Unauthorized("Token claim 'scope' names too many scopes")
    return frozenset(scopes)


# -- the token endpoint --------------------------------------------------------------------------


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


_INVALID_CLIENT = "Client authentication failed"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _json(body: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={**_NO_STORE, **headers},
    )


def _form(raw: bytes) -> dict[str, str]:
    try:
        text = raw.decode()
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "The body is not a valid form") from None
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"Parameters sent more than once: {repeated}")
    return {name: values[0] for name, values in fields.items()}


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """`client_id`, `client_secret` of HTTP Basic (each form-encoded, RFC 6749 §2.3.1)."""
    if authorization is None:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", _INVALID_CLIENT, 401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", _INVALID_CLIENT, 401) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", _INVALID_CLIENT, 401)
    return unquote_plus(client_id), unquote_plus(secret)


def _requested_scopes(form: dict[str, str], granted: tuple[str, ...]) -> tuple[str, ...]:
    """The `scope` asked for, which must lie within what the application grants."""
    asked = tuple(dict.fromkeys(form.get("scope", "").split()))
    if not asked:
        return granted
    grants_all = ALL_SCOPES in granted
    for scope in asked:
        if scope not in SCOPES or not (grants_all or scope in granted):
            raise OAuthError("invalid_scope", f"The application may not have the scope {scope}")
    return asked


def token_route() -> Route:
    async def token(request: Request) -> Response:
        basic_used = request.headers.get("authorization") is not None
        try:
            return await _token(request)
        except OAuthError as exc:
            headers = {}
            if exc.status == 401:
                scheme = "Basic" if basic_used else "Bearer"
                headers["WWW-Authenticate"] = f'{scheme} realm="edm"'
            body = {"error": exc.error, "error_description": exc.description}
            return _json(body, exc.status, headers)

    async def _token(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != FORM_MEDIA_TYPE:
            raise OAuthError("invalid_request", f"Send the parameters as {FORM_MEDIA_TYPE}")
        form = _form(await request.body())
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only client_credentials is supported")
        basic = _basic(request.headers.get("authorization"))
        if basic is not None and ("client_secret" in form or "client_id" in form):
            raise OAuthError(
                "invalid_request", "Authenticate with HTTP Basic or the form, not both"
            )
        client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
        if not secret:
            raise OAuthError("invalid_request", "client_secret is required")
        issuer: IssuedTokens | None = request.app.state.issued_tokens
        if issuer is None:
            raise OAuthError(
                "unsupported_grant_type",
                "This server issues no tokens: set EDM_JWT_SIGNING_KEY or EDM_JWT_SECRET",
            )
        try:
            credential = await request.app.state.credentials.key(secret)
        except Unauthorized:
            raise OAuthError("invalid_client", _INVALID_CLIENT, 401) from None
        if client_id and client_id != credential.application_id:
            raise OAuthError("invalid_client", _INVALID_CLIENT, 401)
        scopes = _requested_scopes(form, credential.scopes)
        body = {
            "access_token": issuer.issue(credential, scopes),
            "token_type": "Bearer",
            "expires_in": issuer.ttl_seconds,
            "scope": " ".join(scopes),
        }
        return _json(body, 200, {})

    return Route(TOKEN_PATH, token, methods=["POST"])
