"""Who a bearer credential names: an API key, or a JWT (this server's or the external issuer's).

- `Bearer edm_sk_…`: the key's checksum is checked first, offline, so noise
  never reaches the database; then its hash is looked up with its
  application. The caller is the application: `sub` and `app_id` are its
  id, with its roles, scopes and rate limit.
- A JWT this server issued (`edm.server.oauth`) names the key it was
  issued for, which must still work, and its application too.
- Any other JWT is the external issuer's and is taken as it is (SPEC
  section 9: its `app_id` scopes it whether or not it is registered here).

Revocation reaches every replica within `CACHE_SECONDS`: what a key's
lookup found is remembered that long at most, and forgotten at once on the
replica that changed it (`forget`). A key that is unknown, malformed,
revoked, expired, or whose application is inactive or deleted gets the same
401, so the answer tells nothing about which.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from edm.errors import Unauthorized
from edm.identity import Principal, Role
from edm.platform.secrets import PREFIX, digest, well_formed
from edm.server.auth import TokenVerifier, bearer_token
from edm.store.credentials import CredentialStore, StoredCredential
from edm.timestamps import utcnow

CACHE_SECONDS = 2.0
CACHE_SIZE = 4096
INVALID_KEY = "Invalid API key"
INVALID_TOKEN = "invalid_token"
REVOKED_TOKEN = "The token's API key or application no longer works"

_Entry = tuple[float, StoredCredential | None]  # when it was looked up, and what was found
K = TypeVar("K")


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def key_principal(credential: StoredCredential) -> Principal:
    """The caller a key stands for: its application."""
    return Principal(
        subject=credential.application_id,
        tenant_id=credential.tenant_id,
        app_id=credential.application_id,
        roles=frozenset(Role(r) for r in credential.roles),
        scopes=frozenset(credential.scopes),
        key_id=credential.key_id,
        rate_limit_per_minute=credential.rate_limit_per_minute,
    )


class Credentials:
    def __init__(
        self,
        verifier: TokenVerifier,
        store: CredentialStore,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.verifier = verifier
        self.store = store
        self.clock = clock
        self._by_hash: dict[str, _Entry] = {}
        self._by_id: dict[tuple[str, str], _Entry] = {}

    def forget(self) -> None:
        """Drop every remembered lookup: a key or application changed here."""
        self._by_hash.clear()
        self._by_id.clear()

    async def principal(self, authorization: str | None) -> Principal:
        """The caller named by an `Authorization: Bearer` header, or 401."""
        token = bearer_token(authorization)
        if token.startswith(PREFIX):
            return key_principal(await self.key(token))
        principal = self.verifier.token_principal(token)
        if principal.key_id is None:
            return principal
        credential = await self._remembered(
            self._by_id,
            (principal.tenant_id, principal.key_id),
            lambda: self.store.by_id(principal.tenant_id, principal.key_id or ""),
        )
        if credential is None or credential.application_id != principal.app_id:
            raise Unauthorized(REVOKED_TOKEN, code=INVALID_TOKEN)
        return replace(principal, rate_limit_per_minute=credential.rate_limit_per_minute)

    async def key(self, secret: str) -> StoredCredential:
        """The working key `secret`, or 401 (`INVALID_KEY`, whatever the reason)."""
        if not well_formed(secret):
            raise Unauthorized(INVALID_KEY, code=INVALID_TOKEN)
        secret_hash = digest(secret)
        credential = await self._remembered(
            self._by_hash, secret_hash, lambda: self._find(secret_hash)
        )
        if credential is None:
            raise Unauthorized(INVALID_KEY, code=INVALID_TOKEN)
        return credential

    async def _find(self, secret_hash: str) -> StoredCredential | None:
        tenant_id = await self.store.tenant_of(secret_hash)
        if tenant_id is None:
            return None
        return await self.store.by_hash(tenant_id, secret_hash)

    async def _remembered(
        self,
        cache: dict[K, _Entry],
        key: K,
        load: Callable[[], Awaitable[StoredCredential | None]],
    ) -> StoredCredential | None:
        """The usable credential under `key`, looked up at most `CACHE_SECONDS` ago."""
        now = self.clock()
        entry = cache.get(key)
        if entry is None or time.monotonic() - entry[0] >= CACHE_SECONDS:
            loaded_at = time.monotonic()
            credential = await load()
            if credential is not None and credential.usable(now):
                credential = await self._touched(credential, now)
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            entry = cache[key] = (loaded_at, credential)
        credential = entry[1]
        if credential is None or not credential.usable(now):
            return None
        return credential

    async def _touched(self, credential: StoredCredential, now: datetime) -> StoredCredential:
        """Record this minute's use once (`last_used_at` is kept to the minute)."""
        minute = _minute(now)
        if credential.last_used_at is not None and credential.last_used_at >= minute:
            return credential
        await self.store.touch(credential, minute)
        return replace(credential, last_used_at=minute)
