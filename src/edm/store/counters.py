"""Per-tenant sequences, allocated inside the caller's transaction.

The upsert takes the counter row's lock (PostgreSQL) or runs under the
write lock (SQLite), so concurrent creates in one tenant queue on it and
every committed number is unique; a rolled-back create releases its
number, so committed numbers have no gaps. On PostgreSQL a create takes
its number in the statement that inserts the record (`next_value`), so
that the lock is held from that statement to the commit only.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import CTE, BigInteger, bindparam, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edm.store.schema import counters
from edm.store.writes import Writes


@cache
def _upsert(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    count = bindparam("count", type_=BigInteger())
    return (
        insert(counters)
        .values(tenant_id=bindparam("tenant_id"), name=bindparam("name"), value=count)
        .on_conflict_do_update(
            index_elements=[counters.c.tenant_id, counters.c.name],
            set_={"value": counters.c.value + count},
        )
        .returning(counters.c.value)
    )


def allocate(writes: Writes, tenant_id: str, name: str, count: int = 1) -> int:
    """Take `count` consecutive values of the tenant's counter `name`; return the first.

    Counters start at 1; a create takes one value, a bulk load a block.
    """
    parameters = {"tenant_id": tenant_id, "name": name, "count": count}
    row = writes.first(_upsert(writes.dialect.name), parameters)
    assert row is not None, "an upsert returns its row"
    return int(row.value) - count + 1


COUNTER_TENANT = "counter_tenant_id"


def next_value(name: str) -> CTE:
    """PostgreSQL: a data-modifying CTE taking the next value of the tenant's
    counter `name` (tenant bound as `COUNTER_TENANT`), as its column `value`."""
    return (
        pg_insert(counters)
        .values(tenant_id=bindparam(COUNTER_TENANT), name=literal(name), value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.tenant_id, counters.c.name],
            set_={"value": counters.c.value + 1},
        )
        .returning(counters.c.value)
        .cte(f"{name}_number")
    )
