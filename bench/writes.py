"""A write scenario must write: every request it counts as a success stores a history event.

A `PATCH` that repeats a ticket's current values, or a close of a closed
ticket, answers 200 and writes nothing, so a scenario that replays them
measures reads. Each write appends one event of its action beside the
record (edm.history), so the events a scenario's windows added, against the
requests wrk saw succeed over the same windows, tell whether each of them
changed what is stored. Requests still in flight when wrk stops may write
too, so there can be more events than successes, never fewer.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bench.dataset import TENANT, BenchDatabase
from bench.load import Result
from edm.history import EVENTS
from edm.store.database import Database
from edm.store.schema import TABLES

# The history action each write scenario's requests append.
ACTION_OF = {"create": "create", "update": "update", "close": "close"}


class WritesMissing(RuntimeError):
    """A write scenario's successful requests stored less than one event each."""


def history_events(db: BenchDatabase, action: str) -> int:
    """The bench tenant's history events of `action`."""
    table = TABLES[EVENTS.name]
    stmt = select(func.count()).where(table.c.tenant_id == TENANT, table.c.action == action)
    database = Database(db.url, pool_size=1)
    try:
        with database.read(TENANT) as conn:
            return int(conn.execute(stmt).scalar() or 0)
    finally:
        database.dispose()


def check_writes(op: str, result: Result) -> None:
    """Fail, naming the scenario, unless it wrote once for every successful request."""
    if result.written is None or result.written < result.succeeded:
        raise WritesMissing(
            f"write scenario {op!r}: {result.succeeded:,} requests succeeded but only "
            f"{result.written or 0:,} {ACTION_OF[op]!r} history events were written, so "
            "some requests changed nothing and the scenario measured reads"
        )


def measure_writes(op: str, db: BenchDatabase, measure: Callable[[], Result]) -> Result:
    """`measure()` a write scenario, count what it wrote, and check every success wrote."""
    before = history_events(db, ACTION_OF[op])
    result = measure()
    result.written = history_events(db, ACTION_OF[op]) - before
    check_writes(op, result)
    return result
