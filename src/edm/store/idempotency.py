"""Stored outcomes of `Idempotency-Key` requests, shared by every replica.

A key is scoped to (tenant, app, subject). The first request claims it in
its own short transaction; when it finishes, its response is stored
against the claim and kept for `IDEMPOTENCY_TTL`. A claim whose request
died without finishing is taken over after `STALE_CLAIM`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edm.identity import Principal
from edm.store.database import Database
from edm.store.schema import idempotency_keys as keys

IDEMPOTENCY_TTL = timedelta(hours=24)
STALE_CLAIM = timedelta(seconds=60)


class ClaimState(StrEnum):
    CLAIMED = "claimed"  # go ahead, then `complete` or `release`
    REPLAY = "replay"  # the stored response answers this request
    MISMATCH = "mismatch"  # same key, different request
    IN_PROGRESS = "in_progress"  # the first request is still running


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    response: StoredResponse | None = None


def _scope(principal: Principal, key: str) -> dict[str, str]:
    return {
        "tenant_id": principal.tenant_id,
        "app_key": principal.app_id or "",
        "subject": principal.subject,
        "key": key,
    }


def _where(principal: Principal, key: str) -> list[Any]:
    return [keys.c[name] == value for name, value in _scope(principal, key).items()]


class IdempotencyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, principal: Principal, key: str, fingerprint: str, now: datetime) -> Claim:
        with self.db.write(principal.tenant_id) as conn:
            conn.execute(
                delete(keys).where(keys.c.tenant_id == principal.tenant_id, keys.c.expires_at < now)
            )
            if self._insert_claim(conn, principal, key, fingerprint, now):
                return Claim(ClaimState.CLAIMED)
            row = conn.execute(select(keys).where(*_where(principal, key))).one()
            if row.fingerprint != fingerprint:
                return Claim(ClaimState.MISMATCH)
            if row.status is not None:
                stored = StoredResponse(row.status, dict(row.headers), row.body)
                return Claim(ClaimState.REPLAY, stored)
            if row.claimed_at > now - STALE_CLAIM:
                return Claim(ClaimState.IN_PROGRESS)
            conn.execute(update(keys).where(*_where(principal, key)).values(claimed_at=now))
            return Claim(ClaimState.CLAIMED)

    def _insert_claim(
        self, conn: Connection, principal: Principal, key: str, fingerprint: str, now: datetime
    ) -> bool:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(keys)
            .values(
                **_scope(principal, key),
                fingerprint=fingerprint,
                claimed_at=now,
                expires_at=now + IDEMPOTENCY_TTL,
            )
            .on_conflict_do_nothing()
            .returning(keys.c.key)
        )
        return conn.execute(stmt).first() is not None

    def complete(self, principal: Principal, key: str, response: StoredResponse) -> None:
        with self.db.write(principal.tenant_id) as conn:
            self.complete_in(conn, principal, key, response)

    def complete_in(
        self, conn: Connection, principal: Principal, key: str, response: StoredResponse
    ) -> None:
        """Store the outcome inside the caller's transaction (atomic with its write)."""
        conn.execute(
            update(keys)
            .where(*_where(principal, key))
            .values(status=response.status, headers=response.headers, body=response.body)
        )

    def release(self, principal: Principal, key: str) -> None:
        """Forget a claim whose request failed in a way worth retrying (5xx)."""
        with self.db.write(principal.tenant_id) as conn:
            conn.execute(delete(keys).where(*_where(principal, key)))
