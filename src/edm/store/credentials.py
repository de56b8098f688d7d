"""Reading API keys with their application, for authentication.

A key presented as a bearer token or at the token endpoint arrives without
its tenant: `tenant_of` finds it by the key's hash across tenants (on
PostgreSQL through `edm_key_tenant`, which row-level security lets see the
one row whose hash it is given; migration 0006). Everything else reads
within the tenant, like any other query.

`last_used_at` is kept to the minute: `touch` writes it only when the
stored minute is older than the current one, so a key in use costs at most
one write a minute, whichever replica serves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update

from edm.manifest import API_KEYS, APPLICATIONS
from edm.store.database import Database
from edm.store.schema import TABLES

_keys = TABLES[API_KEYS.name]
_applications = TABLES[APPLICATIONS.name]


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """A key and the state of its application, as authentication needs them."""

    key_id: str
    tenant_id: str
    application_id: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    application_usable: bool  # active and not deleted
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    rate_limit_per_minute: int | None

    def usable(self, now: datetime) -> bool:
        return (
            self.application_usable
            and self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
        )


def _credential_query(by: Any) -> Select[Any]:
    return (
        select(
            _keys.c.id.label("key_id"),
            _keys.c.tenant_id,
            _keys.c.application_id,
            _keys.c.expires_at,
            _keys.c.revoked_at,
            _keys.c.last_used_at,
            (_applications.c.is_active & ~_applications.c.is_deleted).label("usable"),
            _applications.c.roles,
            _applications.c.scopes,
            _applications.c.rate_limit_per_minute,
        )
        .join(
            _applications,
            (_applications.c.tenant_id == _keys.c.tenant_id)
            & (_applications.c.id == _keys.c.application_id),
        )
        .where(_keys.c.tenant_id == bindparam("tenant_id"), by, ~_keys.c.is_deleted)
    )


_BY_HASH = _credential_query(_keys.c.secret_hash == bindparam("secret_hash"))
_BY_ID = _credential_query(_keys.c.id == bindparam("key_id"))
_TENANT_BY_HASH_SQLITE = select(_keys.c.tenant_id).where(
    _keys.c.secret_hash == bindparam("secret_hash")
)
_TENANT_BY_HASH_POSTGRESQL = select(
    func.edm_key_tenant(bindparam("secret_hash")).label("tenant_id")
)
_TOUCH = (
    update(_keys)
    .where(
        _keys.c.tenant_id == bindparam("where_tenant_id"),
        _keys.c.id == bindparam("where_key_id"),
        or_(_keys.c.last_used_at.is_(None), _keys.c.last_used_at < bindparam("minute")),
    )
    .values(last_used_at=bindparam("minute"))
)


def _credential(row: Any) -> StoredCredential:
    return StoredCredential(
        key_id=row.key_id,
        tenant_id=row.tenant_id,
        application_id=row.application_id,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        application_usable=bool(row.usable),
        roles=tuple(row.roles),
        scopes=tuple(row.scopes),
        rate_limit_per_minute=row.rate_limit_per_minute,
    )


class CredentialStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def tenant_of(self, secret_hash: str) -> str | None:
        """The tenant of the key whose hash is `secret_hash`, if any."""
        query = _TENANT_BY_HASH_SQLITE if self.db.is_sqlite else _TENANT_BY_HASH_POSTGRESQL
        async with self.db.reading(None) as reads:
            row = await reads.first(query, {"secret_hash": secret_hash})
        return None if row is None else row.tenant_id

    async def by_hash(self, tenant_id: str, secret_hash: str) -> StoredCredential | None:
        return await self._one(_BY_HASH, tenant_id, {"secret_hash": secret_hash})

    async def by_id(self, tenant_id: str, key_id: str) -> StoredCredential | None:
        return await self._one(_BY_ID, tenant_id, {"key_id": key_id})

    async def _one(
        self, query: Select[Any], tenant_id: str, params: dict[str, Any]
    ) -> StoredCredential | None:
        async with self.db.reading(tenant_id) as reads:
            row = await reads.first(query, {"tenant_id": tenant_id, **params})
        return None if row is None else _credential(row)

    async def touch(self, credential: StoredCredential, minute: datetime) -> None:
        """Record a use in `minute` (a whole minute), unless one is recorded already."""

        def write() -> None:
            with self.db.write(credential.tenant_id) as conn:
                conn.execute(
                    _TOUCH,
                    {
                        "where_tenant_id": credential.tenant_id,
                        "where_key_id": credential.key_id,
                        "minute": minute,
                    },
                )

        await self.db.run(write)
