"""Generic record operations with the platform rules of SPEC section 4.

`ResourceService` stamps base fields, enforces the manifest's access rules,
checks `If-Match`, soft-deletes and restores, serves nested resources
under their parent record and appends history events. A domain subclasses
it to add its own rules through the `_prepare_*` hooks, `_after_write` and
`actions`.

Each operation is all or nothing. Where its only write is the record's own
statement (which carries the history event), it runs on PostgreSQL
without a transaction (`Database.writes`): a change reads the record
without locking it and writes it only at the revision it read, reading
again if another write came first (`_OPTIMISTIC_ATTEMPTS`, then it waits
for the row's lock like any other write). An operation that writes more
(a nested record's parent, a stored idempotent response, a domain whose
hooks write: `writes_beside_record`) runs in one transaction holding the
record's lock from its read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, Connection

from edm.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InsufficientScope,
    NotFound,
    PreconditionFailed,
)
from edm.history import History, field_changes
from edm.identity import Principal
from edm.manifest import Access, RequesterAccess, Resource
from edm.stamps import creation_stamps, preserved_base_stamps
from edm.store.database import Database
from edm.store.listing import AnyOf, ListQuery, position_of
from edm.store.reads import ReadRow, Reads
from edm.store.records import RecordStore
from edm.store.writes import Writes
from edm.timestamps import utcnow

Record = ReadRow  # a record read or written by the store, its columns by attribute
T = TypeVar("T")
Changes = dict[str, Any]
# An action computes the changes to apply to the record as read, or None for "no change".
Action = Callable[[Writes, Principal, Record, datetime], Changes | None]
# Runs last inside a write's transaction with its outcome, so that what it
# writes (e.g. the stored response of an idempotent request) commits with it.
OnCommit = Callable[[Connection, Record], None]
# Unlocked tries of a change before it waits for the record's lock instead.
_OPTIMISTIC_ATTEMPTS = 3


def etag_of(record: ReadRow) -> str:
    """A strong validator that changes on every write of the record."""
    return f'"{record.id}.{record.revision}"'


def _has_access(principal: Principal, access: Access) -> bool:
    return {
        Access.REQUESTERS: True,
        Access.AGENTS: principal.is_agent,
        Access.ADMINS: principal.is_admin,
        Access.HUMAN_ADMINS: principal.is_admin and principal.app_id is None,
        Access.NOBODY: False,
    }[access]


def _matches(if_match: str, etag: str) -> bool:
    """RFC 9110 If-Match: `*` or a list of entity tags, compared strongly."""
    tags = {tag.strip() for tag in if_match.split(",")}
    return "*" in tags or etag in tags


@dataclass(frozen=True, slots=True)
class _Change:
    """A change asked of one record: `compute` applied under the checks."""

    principal: Principal
    key: str
    if_match: str | None
    operation: str
    compute: Action
    include_deleted: bool
    on_commit: OnCommit | None


@dataclass(frozen=True, slots=True)
class Page:
    records_json: list[str]  # each record's JSON, as clients see it
    has_more: bool
    last_position: tuple[Any, str] | None


def _count_within(texts: list[str], max_bytes: int) -> int:
    """How many of `texts`, from the first, fit in `max_bytes` of UTF-8; one at least."""
    if 4 * sum(map(len, texts)) <= max_bytes:  # at most 4 bytes a character: all fit
        return len(texts)
    total = 0
    for index, text in enumerate(texts):
        total += len(text) if text.isascii() else len(text.encode())
        if total > max_bytes and index:
            return index
    return len(texts)


class ResourceService:
    """Create, read, update, delete, restore and actions for one resource."""

    # True when the domain's hooks write rows besides the record and its event.
    writes_beside_record: ClassVar[bool] = False

    def __init__(
        self,
        res: Resource,
        db: Database,
        *,
        parent: ResourceService | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.res = res
        self.db = db
        self.parent = parent
        self.store = RecordStore(res)
        self.clock = clock
        self.history = History() if res.history else None
        self.actions: dict[str, Action] = {}
        defaults = {f.name: f.default for f in res.writable_fields}
        self._mutable_defaults = {k: v for k, v in defaults.items() if isinstance(v, list | dict)}
        self._plain_defaults = {
            k: v for k, v in defaults.items() if k not in self._mutable_defaults
        }

    # -- reads -----------------------------------------------------------------

    async def list(
        self,
        principal: Principal,
        query: ListQuery,
        parent_key: str | None = None,
        *,
        max_bytes: int | None = None,
    ) -> Page:
        """A page of `query.limit` records at most, and of `max_bytes` of JSON
        but for its first record: a page of wide records ends early, with a
        cursor after its last record."""
        self._require(principal, self.res.read_access, "read")
        async with self.db.reading(principal.tenant_id) as reads:
            if self.parent is not None and self.res.parent is not None:
                parent = await self.parent.read(
                    reads, principal, parent_key or "", include_deleted=query.include_deleted
                )
                parent_filter = AnyOf(self.res.parent.field, (parent.id,))
                query = replace(query, filters=(*query.filters, parent_filter))
            rows = await self.store.page(
                reads, principal, query, self.computed_filter, self.computed_parameters()
            )
        texts = [row.record_json for row in rows[: query.limit]]
        count = len(texts) if max_bytes is None else _count_within(texts, max_bytes)
        has_more = len(rows) > count
        last = position_of(self.res, query.order_field, rows[count - 1]) if has_more else None
        return Page(texts[:count], has_more, last)

    async def get(
        self,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        parent_key: str | None = None,
    ) -> ReadRow:
        """The record `key`; of a nested resource, only under the parent `parent_key`."""
        self._require(principal, self.res.read_access, "read")
        async with self.db.reading(principal.tenant_id) as reads:
            if self.parent is None or self.res.parent is None:
                return await self.read(reads, principal, key, include_deleted=include_deleted)
            parent = await self.parent.read(
                reads, principal, parent_key or "", include_deleted=include_deleted
            )
            record = await self.read(reads, principal, key, include_deleted=include_deleted)
        if getattr(record, self.res.parent.field) != parent.id:
            raise NotFound(f"{self.res.title} {key} not found")
        return record

    async def read(
        self, reads: Reads, principal: Principal, key: str, *, include_deleted: bool = False
    ) -> ReadRow:
        """What an answer needs of the record `key` visible to `principal`
        (id, revision, its parent's id, `record_json`), or 404."""
        statement, params = self.store.find_query(
            reads.dialect, principal, key, include_deleted=include_deleted, response_only=True
        )
        return self._found(await reads.first(statement, params), key)

    def find(
        self,
        writes: Writes,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Record:
        """The record `key` visible to `principal`, or 404 (`RecordStore.find`)."""
        record = self.store.find(
            writes, principal, key, include_deleted=include_deleted, for_update=for_update
        )
        return self._found(record, key)

    def _found(self, record: T | None, key: str) -> T:
        if record is None:
            raise NotFound(f"{self.res.title} {key} not found")
        return record

    def computed_filter(self, name: str, value: bool) -> ColumnElement[bool]:
        """SQL for a manifest `computed_filters` entry; domains override.

        Built once and cached with the page's statement: values that change
        between requests (the time) are bind parameters, whose values
        `computed_parameters` gives for each request.
        """
        raise NotImplementedError(name)

    def computed_parameters(self) -> dict[str, Any]:
        """The values of `computed_filter`'s bind parameters for this request."""
        return {}

    # -- writes ----------------------------------------------------------------

    def create(
        self,
        principal: Principal,
        values: Changes,
        parent_key: str | None = None,
        *,
        on_commit: OnCommit | None = None,
    ) -> Record:
        """Create from the fields the caller sent; the manifest supplies defaults."""
        return self.creation(principal, values, parent_key, on_commit=on_commit)()

    def creation(
        self,
        principal: Principal,
        values: Changes,
        parent_key: str | None = None,
        *,
        on_commit: OnCommit | None = None,
    ) -> Callable[[], Record]:
        """`create` in two steps: the record's values now, its write when called.

        The server runs the write (`Database.run`), which on SQLite holds the
        write lock the other process waits for; the values (defaults, id,
        stamps) need no database, so they are not made under it. The clock
        is read here too: as on PostgreSQL, where the insert takes the
        number, concurrent creates may be numbered in another order than
        their `created_at`.
        """
        self._require(principal, self.res.write_access, "create")
        now = self.clock()
        stamped = {**self._defaults(), **values, **creation_stamps(self.res, principal, now)}
        transaction = not self._writes_alone(on_commit)

        def write() -> Record:
            with self.db.writes(principal.tenant_id, transaction=transaction) as writes:
                parent = None
                if self.parent is not None and self.res.parent is not None:
                    parent = self.parent.find(writes, principal, parent_key or "", for_update=True)
                    stamped[self.res.parent.field] = parent.id
                # After the parent lookup: a record the caller cannot see is a 404, not a 403.
                self._check_requester_fields(principal, values, RequesterAccess.CREATE)
                prepared = self._prepare_create(writes, principal, stamped, parent)
                event = self._event(principal, "create", None, prepared)
                record = self.store.insert(writes, prepared, event)
                self._after_write(writes, principal, None, record, "create", parent)
                if on_commit is not None:
                    on_commit(writes.connection, record)
            return record

        return write

    def prepared_creation(
        self,
        writes: Writes,
        principal: Principal,
        values: Changes,
        preserved: Changes | None = None,
    ) -> tuple[Changes, dict[str, Any] | None]:
        """A new record's values and history event, for a batch to insert
        (`edm.batch`); `preserved` holds the timestamps an import keeps."""
        self._require(principal, self.res.write_access, "create")
        self._check_requester_fields(principal, values, RequesterAccess.CREATE)
        now = self.clock()
        stamped = {**self._defaults(), **values, **creation_stamps(self.res, principal, now)}
        if preserved is None:
            prepared = self._prepare_create(writes, principal, stamped, None)
            return prepared, self._event(principal, "create", None, prepared)
        stamped |= preserved_base_stamps(preserved, now)
        created = self._prepare_create(writes, principal, stamped, None)
        prepared = self._prepare_import(created, preserved)
        at = prepared["created_at"]
        return prepared, self._event(principal, "create", None, prepared, at=at)

    def update(
        self, principal: Principal, key: str, changes: Changes, *, if_match: str | None = None
    ) -> Record:
        def apply(writes: Writes, p: Principal, current: Record, now: datetime) -> Changes | None:
            self._check_requester_fields(p, changes, RequesterAccess.CREATE_AND_UPDATE)
            differing = {k: v for k, v in changes.items() if getattr(current, k) != v}
            prepared = self._prepare_update(writes, p, current, now, differing)
            return prepared or None  # nothing changes: no write, no new ETag, no event

        return self._modify(principal, key, if_match, "update", apply)

    def delete(self, principal: Principal, key: str, *, if_match: str | None = None) -> Record:
        def soft_delete(_writes: Writes, p: Principal, _rec: Record, now: datetime) -> Changes:
            return {"is_deleted": True, "deleted_at": now, "deleted_by": p.subject}

        return self._modify(principal, key, if_match, "delete", soft_delete)

    def restore(
        self,
        principal: Principal,
        key: str,
        *,
        if_match: str | None = None,
        on_commit: OnCommit | None = None,
    ) -> Record:
        def undelete(_writes: Writes, _p: Principal, _rec: Record, _now: datetime) -> Changes:
            return {"is_deleted": False, "deleted_at": None, "deleted_by": None}

        return self._modify(
            principal, key, if_match, "restore", undelete, include_deleted=True, on_commit=on_commit
        )

    def run_action(
        self,
        name: str,
        principal: Principal,
        key: str,
        *,
        if_match: str | None = None,
        on_commit: OnCommit | None = None,
    ) -> Record:
        if name == "restore":
            return self.restore(principal, key, if_match=if_match, on_commit=on_commit)
        return self._modify(principal, key, if_match, name, self.actions[name], on_commit=on_commit)

    def _modify(
        self,
        principal: Principal,
        key: str,
        if_match: str | None,
        operation: str,
        compute: Action,
        *,
        include_deleted: bool = False,
        on_commit: OnCommit | None = None,
    ) -> Record:
        """Read the record, check permission and precondition, apply `compute`."""
        self._require(principal, self.res.write_access, operation)
        change = _Change(principal, key, if_match, operation, compute, include_deleted, on_commit)
        if self._writes_alone(on_commit):
            for _attempt in range(_OPTIMISTIC_ATTEMPTS):
                record = self._try_change(change, locked=False)
                if record is not None:
                    return record
        record = self._try_change(change, locked=True)
        assert record is not None, "a locked record changed"
        return record

    def _try_change(self, change: _Change, *, locked: bool) -> Record | None:
        """One try of `change`: None if the record was written since it was
        read, which only an unlocked try can meet."""
        principal, key, operation = change.principal, change.key, change.operation
        with self.db.writes(principal.tenant_id, transaction=locked) as writes:
            current = self.find(
                writes, principal, key, include_deleted=change.include_deleted, for_update=locked
            )
            self._check_operation_allowed(principal, operation)
            if operation == "restore" and not current.is_deleted:
                raise Conflict(f"{self.res.title} {key} is not deleted", code="not_deleted")
            if change.if_match is not None and not _matches(change.if_match, etag_of(current)):
                raise PreconditionFailed(
                    f"{self.res.title} {key} has changed; its ETag is now {etag_of(current)}"
                )
            now = self.clock()
            new_values = change.compute(writes, principal, current, now)
            if new_values is None:
                record = current
            else:
                new_values |= {"updated_at": now, "updated_by": principal.subject}
                before = current._mapping
                event = self._event(principal, operation, before, {**before, **new_values})
                written = self.store.update(writes, current, new_values, event)
                if written is None:
                    return None
                record = written
                self._after_write(writes, principal, current, record, operation, None)
            if change.on_commit is not None:
                change.on_commit(writes.connection, record)
        return record

    def _writes_alone(self, on_commit: OnCommit | None) -> bool:
        """Whether the operation's only write is its record's statement."""
        return self.parent is None and on_commit is None and not self.writes_beside_record

    def _event(
        self,
        principal: Principal,
        operation: str,
        before: Mapping[Any, Any] | None,
        after: Mapping[Any, Any],
        *,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """The history event of a write from `before` to `after` (at its
        `updated_at` unless given), if the resource keeps history."""
        if self.history is None:
            return None
        changes = field_changes(self.res, before, after)
        when = at or after["updated_at"]
        return self.history.event(principal, after["id"], operation, changes, when)

    # -- rules -----------------------------------------------------------------

    def _defaults(self) -> Changes:
        # Copies of mutable defaults only: a batch create makes a thousand at a time.
        return self._plain_defaults | {
            name: deepcopy(default) for name, default in self._mutable_defaults.items()
        }

    def _require(self, principal: Principal, access: Access, verb: str) -> None:
        """The token's scope, then its role, allow `verb` (any verb but "read" writes)."""
        write = verb != "read"
        if not principal.has_scope(self.res.scope, write=write):
            raise InsufficientScope(f"{self.res.scope}:{'write' if write else 'read'}")
        if access is Access.HUMAN_ADMINS and principal.app_id is not None:
            raise Forbidden(f"Applications may not {verb} {self.res.title.lower()} records")
        if not _has_access(principal, access):
            raise Forbidden(f"Your role may not {verb} {self.res.title.lower()} records")

    def _check_operation_allowed(self, principal: Principal, operation: str) -> None:
        if not self.res.has_operation(operation):
            return
        if self.res.operation(operation).admin_only and not principal.is_admin:
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
        self, writes: Writes, principal: Principal, values: Changes, parent: Record | None
    ) -> Changes:
        """Domain rules on a new record; returns its values (the store numbers it)."""
        return values

    def _prepare_import(self, values: Changes, preserved: Changes) -> Changes:
        """Domain rules on an imported record's preserved timestamps
        (beyond `created_at`/`updated_at`); 422 naming what is inconsistent."""
        return values

    def _prepare_update(
        self,
        writes: Writes,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        return changes

    def _after_write(
        self,
        writes: Writes,
        principal: Principal,
        before: Record | None,
        after: Record,
        operation: str,
        parent: Record | None,
    ) -> None:
        """Runs in the write after the record (and its history event) is
        written; a domain that writes here sets `writes_beside_record`."""
