"""Inserting many new records of one tenant, with their history events, in a few statements.

A batch create (`edm.batch`) hands its prepared records here inside its
transaction. The tenant's counter gives the whole batch a block of numbers
in one statement, taken in item order, so numbers stay unique and gapless
beside concurrent batches and single creates (`edm.store.counters`). The
records then go in as one statement, their events as another, instead of
a statement or three per record:

- PostgreSQL: `INSERT ... SELECT ... FROM jsonb_populate_recordset(...)`
  with every row in one JSON parameter. A multi-row `VALUES` binds a
  parameter per column per row, tens of thousands per batch, each
  converted by the driver one by one.
- SQLite: SQLAlchemy's multi-row `INSERT ... RETURNING`
  ("insertmanyvalues"), split where SQLite's parameter limit needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Dialect, Insert, Table, TextClause, insert, text

from edm.manifest import resource
from edm.store.counters import allocate
from edm.store.reads import ReadRow
from edm.store.record_json import STORED_COLUMN, record_json
from edm.store.records import RecordStore
from edm.store.schema import seq_column
from edm.store.writes import Writes


def insert_many(
    writes: Writes,
    store: RecordStore,
    tenant_id: str,
    records: Sequence[dict[str, Any]],
    events: Sequence[Mapping[str, Any] | None],
) -> list[ReadRow]:
    """Insert `records` of `tenant_id` (numbered in their order when the
    resource is numbered) and their history `events`; the written rows,
    in the order of `records`."""
    if not records:
        return []
    res = store.res
    rows = [store.new_row(values) for values in records]
    number, seq_name = res.number, seq_column(res)
    if number is not None and seq_name is not None:
        first = allocate(writes, tenant_id, res.name, len(rows))
        for seq, row in enumerate(rows, start=first):
            row |= {number.field: number.format(seq), seq_name: seq}
    conn = writes.connection
    written = {r.id: r for r in _insert(conn, store.table, rows, returning=store)}
    event_rows = []
    for row, event in zip(rows, events, strict=True):
        if event is None:
            continue
        changes = event["changes"]
        if number is not None:
            changes = {**changes, number.field: [None, row[number.field]]}
        event_rows.append(_events_store().new_row({**event, "changes": changes}))
    if event_rows:
        _insert(conn, _events_store().table, event_rows)
    return [written[row["id"]] for row in rows]


def _insert(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    returning: RecordStore | None = None,
) -> list[ReadRow]:
    """Insert `rows` into `table`: the rows written, with `record_json`, if
    `returning` (the table's store) is given."""
    if conn.dialect.name == "postgresql":
        # Column names are SQLAlchemy's `quoted_name`, a subclass of str.
        parameter = {"rows": orjson.dumps(rows, option=orjson.OPT_NON_STR_KEYS).decode()}
        result = conn.execute(_from_json(table, returning is not None), parameter)
        return list(result) if returning is not None else []
    if returning is None:
        conn.execute(_sqlite_insert(table, None, conn.dialect), rows)
        return []
    return list(conn.execute(_sqlite_insert(table, returning, conn.dialect), rows))


@cache
def _from_json(table: Table, returning: bool) -> TextClause:
    columns = ", ".join(f'"{c.name}"' for c in table.c)
    answer = f' RETURNING {columns}, "{STORED_COLUMN}"' if returning else ""
    return text(
        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} '
        f'FROM jsonb_populate_recordset(NULL::"{table.name}", CAST(:rows AS jsonb)){answer}'
    )


@cache
def _sqlite_insert(table: Table, store: RecordStore | None, dialect: Dialect) -> Insert:
    statement = insert(table)
    if store is None:
        # RETURNING makes it one multi-row INSERT, where a plain executemany
        # would run a statement per row.
        return statement.returning(table.c.id)
    return statement.returning(table, record_json(store.res, dialect))


@cache
def _events_store() -> RecordStore:
    return RecordStore(resource("events"))
