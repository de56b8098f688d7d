"""Batch operations: many creates or updates of one resource in one request (SPEC 11).

Each item follows every rule of its single operation and gets its own
outcome: the record written, or the error it would have raised alone.
A batch is one transaction. Without `atomic` the items that fail write
nothing and the others commit; with `atomic` one failing item fails the
batch and nothing is written (`atomic_failure`).

- A batch create prepares every item first (reading, at most once per
  batch, what the domain's rules look up, e.g. the default SLA policy),
  then inserts the valid ones together: their numbers are one block of the
  tenant's counter, in item order (`edm.store.batch_insert`).
- A batch update runs each item as the single update would, each in a
  savepoint of the batch's transaction (`Database.transaction`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select

from edm.errors import EDMError, FieldError, ValidationFailed
from edm.identity import Principal
from edm.service import Changes, Record, ResourceService
from edm.store.batch_insert import insert_many
from edm.store.reads import Params, ReadRow, Statement
from edm.store.writes import Writes

Outcome = Record | EDMError
# Runs last inside the batch's transaction with its outcomes (an idempotent
# request's stored response commits with them).
OnBatchCommit = Callable[[Connection, list[Outcome]], None]


@dataclass(frozen=True, slots=True)
class NewItem:
    """A batch create's item: the validated fields, or why it is invalid."""

    values: Changes | EDMError
    preserved: Changes | None = None  # the timestamps an import keeps


@dataclass(frozen=True, slots=True)
class UpdateItem:
    key: str
    changes: Changes
    if_match: str | None = None


def item_field(index: int, name: str | None) -> str:
    """`items[3].title` (or `items[3]`, for the item as a whole)."""
    return f"items[{index}].{name}" if name else f"items[{index}]"


def atomic_failure(outcomes: Sequence[Outcome | None]) -> EDMError:
    """The error of an atomic batch whose items did not all succeed.

    Invalid items only: one 422 naming each `items[i].field`. Otherwise the
    first item that failed otherwise (403, 404, 409, 412), as it failed,
    its fields named by item.
    """
    failures = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, EDMError)]
    assert failures, "an atomic batch fails because an item failed"
    if all(error.status == ValidationFailed.status for _, error in failures):
        return ValidationFailed(
            [
                FieldError(item_field(i, e.field), e.code, e.message)
                for i, error in failures
                for e in error.errors or (FieldError(None, error.code, error.detail),)
            ]
        )
    index, first = next((i, e) for i, e in failures if e.status != ValidationFailed.status)
    error = EDMError(
        f"{item_field(index, None)}: {first.detail}",
        errors=[FieldError(item_field(index, e.field), e.code, e.message) for e in first.errors],
        headers=first.headers,
        code=first.code,
    )
    error.status, error.title = first.status, first.title
    return error


class _LookupsOnce:
    """A batch's `Writes` that runs each distinct query once: every item of
    a batch create looks up the same SLA policies, say."""

    def __init__(self, writes: Writes) -> None:
        self._writes = writes
        self._answers: dict[tuple[Statement, tuple[tuple[str, Any], ...]], ReadRow | None] = {}

    @property
    def dialect(self) -> Dialect:
        return self._writes.dialect

    @property
    def connection(self) -> Connection:
        return self._writes.connection

    def first(
        self, statement: Statement, params: Params, *, record_write: bool = False
    ) -> ReadRow | None:
        if record_write or not isinstance(statement, Select):
            return self._writes.first(statement, params, record_write=record_write)
        key = (statement, tuple(sorted(params.items())))
        if key not in self._answers:
            self._answers[key] = self._writes.first(statement, params)
        return self._answers[key]


class Batches:
    """The batch operations of one resource's service."""

    def __init__(self, service: ResourceService) -> None:
        if service.parent is not None or service.writes_beside_record:
            raise ValueError(f"{service.res.name}: batches write records and their events only")
        self.service = service
        self.db = service.db

    def creation(
        self,
        principal: Principal,
        items: Sequence[NewItem],
        *,
        atomic: bool,
        on_commit: OnBatchCommit | None = None,
    ) -> Callable[[], list[Outcome]]:
        """The batch create's write, for `Database.run`."""
        outcomes: list[Outcome | None] = [
            item.values if isinstance(item.values, EDMError) else None for item in items
        ]

        def write() -> list[Outcome]:
            with self.db.writes(principal.tenant_id) as writes:
                lookups = _LookupsOnce(writes)
                pending: list[tuple[int, Changes, dict[str, Any] | None]] = []
                for index, item in enumerate(items):
                    if isinstance(item.values, EDMError):
                        continue
                    try:
                        values, event = self.service.prepared_creation(
                            lookups, principal, item.values, item.preserved
                        )
                    except EDMError as error:
                        outcomes[index] = error
                        continue
                    pending.append((index, values, event))
                if atomic and any(isinstance(o, EDMError) for o in outcomes):
                    raise atomic_failure(outcomes)
                records = insert_many(
                    writes,
                    self.service.store,
                    principal.tenant_id,
                    [values for _, values, _ in pending],
                    [event for _, _, event in pending],
                )
                for (index, _, _), record in zip(pending, records, strict=True):
                    outcomes[index] = record
                done = [o for o in outcomes if o is not None]
                assert len(done) == len(items), "every item has its outcome"
                if on_commit is not None:
                    on_commit(writes.connection, done)
            return done

        return write

    def updating(
        self, principal: Principal, items: Sequence[UpdateItem | EDMError], *, atomic: bool
    ) -> Callable[[], list[Outcome]]:
        """The batch update's write, for `Database.run`."""

        def write() -> list[Outcome]:
            with self.db.transaction(principal.tenant_id) as conn:
                outcomes = [
                    item if isinstance(item, EDMError) else self._update(conn, principal, item)
                    for item in items
                ]
                if atomic and any(isinstance(o, EDMError) for o in outcomes):
                    raise atomic_failure(outcomes)
            return outcomes

        return write

    def _update(self, conn: Connection, principal: Principal, item: UpdateItem) -> Outcome:
        try:
            with conn.begin_nested():
                return self.service.update(
                    principal, item.key, item.changes, if_match=item.if_match
                )
        except EDMError as error:
            return error
