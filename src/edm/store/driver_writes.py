"""A write's own statements on the database driver's connection (PostgreSQL).

The statements a write runs for its record (reading it, then writing it
with its history event, `RecordStore`) and for its SLA policy run on
psycopg's connection underneath the write's SQLAlchemy connection, as
reads do (`edm.store.reads`): SQLAlchemy's execution around a statement
(its events, execution context and result objects, for which psycopg
describes each of a ticket's three dozen columns) was about a quarter
of an update's CPU (py-spy; docs/performance.md). The statements stay
SQLAlchemy's, compiled once with their values' and columns' processors
(`DriverStatement`); a driver error reaches the caller as SQLAlchemy's
`DBAPIError`, and a record write still spends the write's budget
(`edm.store.write_budget`).

The write's SQLAlchemy connection still begins, binds the tenant and
ends the transaction. Inside `Database.run` the driver is psycopg's
asyncio connection, awaited from the write's greenlet as SQLAlchemy's own
execution would; synchronous engines (migrations, the CLI, tests) hand
over a plain psycopg connection. SQLite runs the statements through
SQLAlchemy: its driver calls cost little beside its execution.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Connection, Dialect, Executable, Select
from sqlalchemy.util import await_

from edm.store.reads import DriverStatements, Params, ReadRow, as_sqlalchemy_error
from edm.store.write_budget import RECORD_WRITE, spend

_STATEMENTS: WeakKeyDictionary[Dialect, DriverStatements] = WeakKeyDictionary()


def first(
    conn: Connection, statement: Executable, params: Params, *, record_write: bool = False
) -> ReadRow | None:
    """The first row of `statement` run with `params` on `conn`, if any.

    `record_write` marks the statement that writes the write's record.
    """
    if conn.dialect.name != "postgresql" or not isinstance(statement, Select):
        options = {RECORD_WRITE: True} if record_write else {}
        return conn.execute(statement, params, execution_options=options).first()
    if record_write:
        spend(conn.get_execution_options(), record_write=True)
    statements = _STATEMENTS.get(conn.dialect)
    if statements is None:
        statements = _STATEMENTS[conn.dialect] = DriverStatements(conn.dialect)
    compiled = statements[statement]
    sql, values = compiled.sql_and_values(params)
    driver = conn.connection.driver_connection
    try:
        if isinstance(driver, psycopg.AsyncConnection):
            row = await_(_fetch_one(driver, sql, values))
        else:
            assert isinstance(driver, psycopg.Connection)
            with driver.cursor() as cursor:
                row = cursor.execute(sql, values).fetchone()
    except psycopg.Error as exc:
        lost = bool(driver is not None and driver.broken)
        if lost:
            conn.invalidate(exc)
        raise as_sqlalchemy_error(sql, values, exc, conn.dialect, lost=lost) from exc
    return None if row is None else compiled.row(row)


async def _fetch_one(
    connection: psycopg.AsyncConnection[Any], sql: str, values: Any
) -> tuple[Any, ...] | None:
    async with connection.cursor() as cursor:
        await cursor.execute(sql, values)
        row: tuple[Any, ...] | None = await cursor.fetchone()
        return row
