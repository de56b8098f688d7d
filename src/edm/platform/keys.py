"""API key rules: issue (the secret leaves once), read under the application,
revoke, rotate with an overlap.

A key is always read under the application in its path: a key of another
application is a 404 there. Revoking is idempotent; a revoked or expired
key cannot be rotated (409). Rotating creates a new key for the same
application and name, and sets the old one's `expires_at` to the end of
the overlap (never later than it already was), in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from edm.errors import Conflict, FieldError, NotFound, ValidationFailed
from edm.identity import Principal
from edm.manifest import API_KEYS
from edm.platform.secrets import NewKey
from edm.service import Changes, OnCommit, Record, ResourceService
from edm.stamps import creation_stamps
from edm.store.database import Database
from edm.store.writes import ConnectionWrites, Writes


def _expiry(values: Changes, now: datetime) -> datetime | None:
    """`expires_at` as sent (RFC 3339 text), which must lie ahead."""
    raw = values.get("expires_at")
    if raw is None:
        return None
    expires_at = datetime.fromisoformat(raw)
    if expires_at <= now:
        raise ValidationFailed([FieldError("expires_at", "in_the_past", "must be in the future")])
    return expires_at


def is_usable(key: Record, now: datetime) -> bool:
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > now)


class KeyService(ResourceService):
    writes_beside_record = True  # rotation writes the old key and the new one

    def __init__(self, db: Database, *, parent: ResourceService, **kwargs: Any) -> None:
        super().__init__(API_KEYS, db, parent=parent, **kwargs)

    @property
    def applications(self) -> ResourceService:
        assert self.parent is not None
        return self.parent

    def issue(
        self,
        principal: Principal,
        values: Changes,
        application_key: str,
        *,
        on_commit: OnCommit | None = None,
    ) -> tuple[Callable[[], Record], str]:
        """A new key's write, and its secret for the response that creates it."""
        new = NewKey.generate()
        values = {**values, "expires_at": _expiry(values, self.clock())}
        write = self.creation(
            principal, values | new.stored_values(), application_key, on_commit=on_commit
        )
        return write, new.secret

    def _under(self, record: Record | None, application_id: str, key: str) -> Record:
        if record is None or record.application_id != application_id:
            raise NotFound(f"{self.res.title} {key} not found")
        return record

    def revoke(
        self,
        principal: Principal,
        application_key: str,
        key: str,
        *,
        if_match: str | None = None,
        on_commit: OnCommit | None = None,
    ) -> Record:
        def revoke(writes: Writes, p: Principal, current: Record, now: datetime) -> Changes | None:
            application = self.applications.find(writes, p, application_key)
            self._under(current, application.id, key)
            return None if current.revoked_at is not None else {"revoked_at": now}

        return self._modify(principal, key, if_match, "revoke", revoke, on_commit=on_commit)

    def rotate(
        self,
        principal: Principal,
        application_key: str,
        key: str,
        overlap_seconds: int,
        *,
        if_match: str | None = None,
        on_commit: OnCommit | None = None,
    ) -> tuple[Callable[[], Record], str]:
        """The rotation's write (answering the new key), and the new secret."""
        new = NewKey.generate()
        replaced: list[Record] = []

        def retire(writes: Writes, p: Principal, current: Record, now: datetime) -> Changes:
            application = self.applications.find(writes, p, application_key)
            self._under(current, application.id, key)
            if not is_usable(current, now):
                raise Conflict(f"{self.res.title} {key} is revoked or expired", code="key_unusable")
            end = now + timedelta(seconds=overlap_seconds)
            replaced.append(current)
            if current.expires_at is not None and current.expires_at <= end:
                return {}
            return {"expires_at": end}

        created: list[Record] = []

        def add_new(conn: Connection, old: Record) -> None:
            now = self.clock()
            values = {
                **self._defaults(),
                "name": old.name,
                "expires_at": None,
                **new.stored_values(),
                **creation_stamps(self.res, principal, now),
                "application_id": old.application_id,
            }
            created.append(self.store.insert(ConnectionWrites(conn), values))
            if on_commit is not None:
                on_commit(conn, created[0])

        def write() -> Record:
            self._modify(principal, key, if_match, "rotate", retire, on_commit=add_new)
            return created[0]

        return write, new.secret
