"""A write's own statements on the database driver's connection.

The statements a write runs for its record (reading it, then writing it
with its history event, `RecordStore`), for its number (SQLite's counter)
and for its SLA policy run on the driver's connection underneath the
write's SQLAlchemy connection, as reads do (`edm.store.reads`):
SQLAlchemy's execution around a statement (its events, execution context
and result objects, for which psycopg describes each of a ticket's three
dozen columns) was about a quarter of a PostgreSQL update's CPU, and a
third of a SQLite create's, which runs under the write lock that the
server's other process waits on (py-spy, cProfile; docs/performance.md).
The statements stay SQLAlchemy's, compiled once with their values' and
columns' processors (`DriverStatement`); a driver error reaches the
caller as SQLAlchemy's `DBAPIError`, and a writing statement still spends
the write's budget (`edm.store.write_budget`).

The write's SQLAlchemy connection still begins, binds the tenant and
ends the transaction. On SQLite the driver is the `sqlite3` connection,
which SQLAlchemy runs without the driver's own transaction handling. On
PostgreSQL, inside `Database.run`, it is psycopg's asyncio connection,
awaited from the write's greenlet as SQLAlchemy's own execution would;
synchronous engines (migrations, the CLI, tests) hand over a plain
psycopg connection.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Connection, Dialect, UpdateBase
from sqlalchemy.util import await_

from edm.store.reads import DriverStatements, Params, ReadRow, Statement, as_sqlalchemy_error
from edm.store.write_budget import spend

_STATEMENTS: WeakKeyDictionary[Dialect, DriverStatements] = WeakKeyDictionary()


def first(
    conn: Connection, statement: Statement, params: Params, *, record_write: bool = False
) -> ReadRow | None:
    """The first row of `statement` (a query, or a write with `RETURNING`)
    run with `params` on `conn`, if any.

    `record_write` marks the statement that writes the write's record.
    """
    if record_write or isinstance(statement, UpdateBase):
        spend(conn.get_execution_options(), record_write=record_write)
    statements = _STATEMENTS.get(conn.dialect)
    if statements is None:
        statements = _STATEMENTS[conn.dialect] = DriverStatements(conn.dialect)
    compiled = statements[statement]
    sql, values = compiled.sql_and_values(params)
    driver = conn.connection.driver_connection
    try:
        if isinstance(driver, sqlite3.Connection):
            # Stepped to its end, so that no statement is left running in the transaction.
            rows = driver.execute(sql, values).fetchall()
            row = rows[0] if rows else None
        elif isinstance(driver, psycopg.AsyncConnection):
            row = await_(_fetch_one(driver, sql, values))
        else:
            assert isinstance(driver, psycopg.Connection)
            with driver.cursor() as cursor:
                row = cursor.execute(sql, values).fetchone()
    except (sqlite3.Error, psycopg.Error) as exc:
        lost = isinstance(driver, psycopg.BaseConnection) and driver.broken
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
