"""Inserting many new records of one tenant, with their history events, in a few statements.

A batch create (`edm.batch`) hands its prepared records here inside its
transaction. The tenant's counter gives the whole batch a block of numbers
in one statement, taken in item order, so numbers stay unique and gapless
beside concurrent batches and single creates (`edm.store.counters`). The
records go in as one multi-row `INSERT ... RETURNING` (SQLAlchemy's
"insertmanyvalues", which splits it where the database's parameter limit
needs), their events as another, instead of a statement or three per
record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Dialect, Insert, insert

from edm.manifest import resource
from edm.store.counters import allocate
from edm.store.reads import ReadRow
from edm.store.record_json import record_json
from edm.store.records import RecordStore
from edm.store.schema import seq_column
from edm.store.writes import Writes


@cache
def _returning_insert(store: RecordStore, dialect: Dialect) -> Insert:
    return insert(store.table).returning(store.table, record_json(store.res, dialect))


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
    written = {r.id: r for r in conn.execute(_returning_insert(store, writes.dialect), rows)}
    event_rows = []
    for row, event in zip(rows, events, strict=True):
        if event is None:
            continue
        changes = event["changes"]
        if number is not None:
            changes = {**changes, number.field: [None, row[number.field]]}
        event_rows.append(_events_store().new_row({**event, "changes": changes}))
    if event_rows:
        conn.execute(insert(_events_store().table), event_rows)
    return [written[row["id"]] for row in rows]


@cache
def _events_store() -> RecordStore:
    return RecordStore(resource("events"))
