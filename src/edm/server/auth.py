"""Bearer JWT verification (PyJWT) into a `Principal`.

The accepted algorithms come from configuration: HS256 with
`EDM_JWT_SECRET`, or RS256/ES256 by the type of `EDM_JWT_PUBLIC_KEY`.
The token header never chooses the algorithm, so `alg: none` and
HS256-signed-with-the-public-key tokens are refused. Tokens this server
issues for API keys (`iss` = `EDM_JWT_ISSUED_BY`) are verified with its own
signing key instead (`edm.server.oauth`).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from edm.errors import Forbidden, Unauthorized
from edm.identity import Principal, Role
from edm.server.oauth import IssuedTokens, token_scopes
from edm.settings import Settings

log = logging.getLogger("edm.server")
LEEWAY_SECONDS = 30
MAX_CLAIM_LENGTH = 255
MIN_SECRET_BYTES = 32
# RFC 6750 `credentials = "Bearer" 1*SP token`, the token in JWS compact form
# (three base64url segments; an unsigned token's last one is empty) or an API
# key (one segment, `edm.server.api_keys`). A few spaces are tolerated, not any
# number: what is accepted is what is parsed.
_BEARER = re.compile(
    r"bearer {1,4}([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)?)", re.IGNORECASE
)
VERIFIED_CACHE_BYTES = 4 * 1024 * 1024
# An entry's containers, the principal's object and roles and the dictionary's
# slot, on top of the strings it holds.
ENTRY_OVERHEAD_BYTES = 512


class ConfigurationError(RuntimeError):
    """The server cannot verify tokens with the configuration it was given."""


def _verification_key(settings: Settings) -> tuple[Any, list[str]]:
    if settings.jwt_public_key is not None:
        if settings.jwt_secret is not None:
            raise ConfigurationError("Set EDM_JWT_SECRET or EDM_JWT_PUBLIC_KEY, not both")
        pem = settings.jwt_public_key.get_secret_value().encode()
        try:
            key = load_pem_public_key(pem)
        except ValueError as exc:
            raise ConfigurationError(f"EDM_JWT_PUBLIC_KEY is not a PEM public key: {exc}") from exc
        if isinstance(key, rsa.RSAPublicKey):
            return key, ["RS256"]
        if isinstance(key, ec.EllipticCurvePublicKey):
            return key, ["ES256"]
        raise ConfigurationError("EDM_JWT_PUBLIC_KEY must be an RSA or EC (P-256) key")
    secret = settings.signing_secret
    if secret == "":
        raise ConfigurationError("EDM_JWT_SECRET is empty")
    if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        log.warning(
            "EDM_JWT_SECRET is shorter than %d bytes; RFC 7518 asks for at least that for HS256",
            MIN_SECRET_BYTES,
        )
    if secret is None:
        raise ConfigurationError(
            "No token key: set EDM_JWT_SECRET or EDM_JWT_PUBLIC_KEY, or run `edm serve` "
            "once to create a development secret"
        )
    return secret, ["HS256"]


def _claim(claims: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_CLAIM_LENGTH
        or "\x00" in value
        or value != value.strip()
    ):
        raise Unauthorized(f"Token claim '{name}' must be a non-empty string")
    return value


def _roles(claims: dict[str, Any]) -> frozenset[Role]:
    if "roles" not in claims:
        return frozenset({Role.AGENT})
    raw = claims["roles"]
    if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
        raise Unauthorized("Token claim 'roles' must be a list of strings")
    known = {r.value for r in Role}
    roles = frozenset(Role(r) for r in raw if r in known)
    if not roles:
        raise Forbidden("The token grants none of the roles requester, agent or admin")
    return roles


@dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal
    expires_at: float
    cost: int


def _cost(token: str, principal: Principal) -> int:
    held = (token, principal.subject, principal.tenant_id, principal.app_id or "")
    return sum(sys.getsizeof(text) for text in held) + ENTRY_OVERHEAD_BYTES


class VerifiedTokens:
    """Principals of verified tokens until they expire, in at most `max_bytes`.

    Keyed by the token alone and holding only tokens whose signature was
    checked, so neither padding a header nor sending tokens that fail adds
    entries; when full, the oldest entries make room.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._entries: dict[str, _Verified] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> Principal | None:
        hit = self._entries.get(token)
        if hit is None:
            return None
        if time.time() < hit.expires_at + LEEWAY_SECONDS:
            return hit.principal
        self._remove(token)
        return None

    def put(self, token: str, principal: Principal, expires_at: float) -> None:
        entry = _Verified(principal, expires_at, _cost(token, principal))
        if entry.cost > self.max_bytes:
            return
        self._remove(token)
        while self.size_bytes + entry.cost > self.max_bytes:
            self._remove(next(iter(self._entries)))
        self._entries[token] = entry
        self.size_bytes += entry.cost

    def _remove(self, token: str) -> None:
        if (entry := self._entries.pop(token, None)) is not None:
            self.size_bytes -= entry.cost


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or 401."""
    if not authorization:
        raise Unauthorized("Missing Authorization: Bearer <token> header")
    match = _BEARER.fullmatch(authorization)
    if match is None:
        raise Unauthorized(
            "The Authorization header must be 'Bearer <token>' with a JWT or API key"
        )
    return match.group(1)


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._key, self._algorithms = _verification_key(settings)
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self.issued = IssuedTokens.from_settings(settings)
        self.verified = VerifiedTokens(VERIFIED_CACHE_BYTES)

    def principal(self, authorization: str | None) -> Principal:
        """The caller named by an `Authorization: Bearer` header, or 401.

        A verified token is remembered until it expires, so a client reusing
        its token pays for the signature check once per process.
        """
        return self.token_principal(bearer_token(authorization))

    def token_principal(self, token: str) -> Principal:
        """The caller named by the JWT `token`, or 401."""
        if (principal := self.verified.get(token)) is not None:
            return principal
        principal, expires_at = self._verify(token)
        self.verified.put(token, principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        # -- this server's own tokens (edm.server.oauth) --
        key, algorithms, issuer, audience = (
            self._key,
            self._algorithms,
            self._issuer,
            self._audience,
        )
        own = self.issued is not None and self.issued.signed(token)
        if own and self.issued is not None:
            key, algorithms = self.issued.verification_key, [self.issued.algorithm]
            issuer, audience = self.issued.issuer, None
        # -- end --
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=audience,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["exp", "sub", "tenant_id", *(["key_id"] if own else [])],
                    "verify_aud": audience is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"Invalid token: {exc}") from None
        principal = Principal(
            subject=_claim(claims, "sub", required=True) or "",
            tenant_id=_claim(claims, "tenant_id", required=True) or "",
            app_id=_claim(claims, "app_id", required=False),
            roles=_roles(claims),
            scopes=token_scopes(claims),
            key_id=_claim(claims, "key_id", required=True) if own else None,
        )
        return principal, float(claims["exp"])


def mint_token(
    secret: str,
    *,
    tenant_id: str,
    subject: str,
    app_id: str | None = None,
    roles: list[str] | None = None,
    ttl_seconds: int = 3600,
) -> str:
    """An HS256 token for development and tests (`edm token`)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "tenant_id": tenant_id,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if app_id is not None:
        claims["app_id"] = app_id
    if roles:
        claims["roles"] = roles
    return jwt.encode(claims, secret, algorithm="HS256")
