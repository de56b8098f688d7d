"""Generic record operations with the platform rules of SPEC section 4.

`ResourceService` stamps base fields, enforces roles from the manifest,
checks `If-Match`, soft-deletes and restores. A domain subclasses it to
add its own rules (numbering, lifecycle) through the `_prepare_*` hooks and
`actions`. Each operation runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row
from ulid import ULID

from edm.errors import Conflict, FieldError, Forbidden, NotFound, PreconditionFailed
from edm.identity import Principal
from edm.manifest import RequesterAccess, Resource
from edm.store.database import Database
from edm.store.listing import ListQuery, position_of
from edm.store.records import RecordStore

Record = Row[Any]
Changes = dict[str, Any]
# An action computes the changes to apply to a locked record, or None for "no change".
Action = Callable[[Connection, Principal, Record, datetime], Changes | None]


def utcnow() -> datetime:
    return datetime.now(UTC)


def etag_of(record: Record) -> str:
    """A strong validator that changes on every write of the record."""
    return f'"{record.id}.{record.revision}"'


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record]
    has_more: bool
    last_position: tuple[Any, str] | None


class ResourceService:
    """Create, read, update, delete, restore and actions for one resource."""

    def __init__(self, res: Resource, db: Database, *, clock: Callable[[], datetime] = utcnow):
        self.res = res
        self.db = db
        self.store = RecordStore(res)
        self.clock = clock
        self.actions: dict[str, Action] = {}

    # -- reads -----------------------------------------------------------------

    def list(self, principal: Principal, query: ListQuery) -> Page:
        with self.db.read() as conn:
            rows = self.store.page(conn, principal, query)
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        last = position_of(self.res, query.order_field, rows[-1]) if has_more else None
        return Page(rows, has_more, last)

    def get(self, principal: Principal, key: str, *, include_deleted: bool = False) -> Record:
        with self.db.read() as conn:
            return self._find(conn, principal, key, include_deleted=include_deleted)

    def _find(
        self,
        conn: Connection,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Record:
        record = self.store.find(
            conn, principal, key, include_deleted=include_deleted, for_update=for_update
        )
        if record is None:
            raise NotFound(f"{self.res.title} {key} not found")
        return record

    # -- writes ----------------------------------------------------------------

    def create(self, principal: Principal, values: Changes) -> Record:
        """Create from the fields the caller sent; the manifest supplies defaults."""
        self._check_requester_fields(principal, values, RequesterAccess.CREATE)
        now = self.clock()
        stamped = {
            **self._defaults(),
            **values,
            "id": f"{self.res.id_prefix}_{ULID()}",
            "tenant_id": principal.tenant_id,
            "app_id": principal.app_id,
            "created_at": now,
            "updated_at": now,
            "created_by": principal.subject,
            "updated_by": principal.subject,
            "is_deleted": False,
            "deleted_at": None,
            "deleted_by": None,
            "schema_version": 1,
        }
        with self.db.write() as conn:
            stamped, seq = self._prepare_create(conn, principal, stamped)
            record = self.store.insert(conn, stamped, seq=seq)
            self._after_write(conn, principal, None, record, "create")
        return record

    def update(
        self, principal: Principal, key: str, changes: Changes, *, if_match: str | None = None
    ) -> Record:
        self._check_requester_fields(principal, changes, RequesterAccess.CREATE_AND_UPDATE)

        def apply(conn: Connection, p: Principal, current: Record, now: datetime) -> Changes:
            return self._prepare_update(conn, p, current, now, dict(changes))

        return self._modify(principal, key, if_match, "update", apply)

    def delete(self, principal: Principal, key: str, *, if_match: str | None = None) -> Record:
        def soft_delete(_conn: Connection, p: Principal, _rec: Record, now: datetime) -> Changes:
            return {"is_deleted": True, "deleted_at": now, "deleted_by": p.subject}

        return self._modify(principal, key, if_match, "delete", soft_delete)

    def restore(self, principal: Principal, key: str, *, if_match: str | None = None) -> Record:
        def undelete(_conn: Connection, _p: Principal, _rec: Record, _now: datetime) -> Changes:
            return {"is_deleted": False, "deleted_at": None, "deleted_by": None}

        return self._modify(principal, key, if_match, "restore", undelete, include_deleted=True)

    def run_action(
        self, name: str, principal: Principal, key: str, *, if_match: str | None = None
    ) -> Record:
        if name == "restore":
            return self.restore(principal, key, if_match=if_match)
        return self._modify(principal, key, if_match, name, self.actions[name])

    def _modify(
        self,
        principal: Principal,
        key: str,
        if_match: str | None,
        operation: str,
        compute: Action,
        *,
        include_deleted: bool = False,
    ) -> Record:
        """Lock the record, check permission and precondition, apply `compute`."""
        with self.db.write() as conn:
            current = self._find(
                conn, principal, key, include_deleted=include_deleted, for_update=True
            )
            self._check_operation_allowed(principal, operation)
            if operation == "restore" and not current.is_deleted:
                raise Conflict(f"{self.res.title} {key} is not deleted")
            if if_match is not None and if_match.strip() not in ("*", etag_of(current)):
                raise PreconditionFailed(
                    f"{self.res.title} {key} has changed; its ETag is now {etag_of(current)}"
                )
            now = self.clock()
            new_values = compute(conn, principal, current, now)
            if new_values is None:
                return current
            new_values |= {"updated_at": now, "updated_by": principal.subject}
            record = self.store.update(conn, current, new_values)
            self._after_write(conn, principal, current, record, operation)
        return record

    def _defaults(self) -> Changes:
        return {f.name: deepcopy(f.default) for f in self.res.writable_fields}

    # -- rules -----------------------------------------------------------------

    def _check_operation_allowed(self, principal: Principal, operation: str) -> None:
        if operation in ("update", "create"):
            return
        op = self.res.operation(operation)
        if op.admin_only and not principal.is_admin:
            raise Forbidden(f"Only admins may {operation} a {self.res.title.lower()}")

    def _check_requester_fields(
        self, principal: Principal, values: Changes, needed: RequesterAccess
    ) -> None:
        if not principal.is_requester_only:
            return
        allowed = (
            {RequesterAccess.CREATE, RequesterAccess.CREATE_AND_UPDATE}
            if needed is RequesterAccess.CREATE
            else {RequesterAccess.CREATE_AND_UPDATE}
        )
        denied = [
            FieldError(name, "forbidden_field", "Requesters may not set this field")
            for name in values
            if self.res.field(name).requester not in allowed
        ]
        if denied:
            raise Forbidden(
                "Requesters may not set: " + ", ".join(e.field or "" for e in denied),
                errors=denied,
            )

    # -- domain hooks ----------------------------------------------------------

    def _prepare_create(
        self, conn: Connection, principal: Principal, values: Changes
    ) -> tuple[Changes, int | None]:
        """Domain rules on a new record; returns the values and its number sequence."""
        return values, None

    def _prepare_update(
        self,
        conn: Connection,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        return changes

    def _after_write(
        self,
        conn: Connection,
        principal: Principal,
        before: Record | None,
        after: Record,
        operation: str,
    ) -> None:
        """Runs in the write's transaction; history events attach here."""
