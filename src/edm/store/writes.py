"""Running the statements of a write on the database driver's connection.

A write's own statements (reading its record, then writing it with its
history event, `RecordStore`; its number, SQLite's counter; its SLA
policy) run through a `Writes`, from `Database.writes`, on the driver's
connection as reads' do (`edm.store.reads`): SQLAlchemy's execution
around a statement (its events, execution context and result objects,
for which psycopg describes each of a ticket's three dozen columns) was
about a quarter of a PostgreSQL update's CPU, and a third of a SQLite
create's, which runs under the write lock that the server's other
process waits on (py-spy, cProfile; docs/performance.md). The statements
stay SQLAlchemy's, compiled once with their values' and columns'
processors (`DriverStatement`); a driver error reaches the caller as
SQLAlchemy's `DBAPIError`, and a writing statement spends the write's
budget (`edm.store.write_budget`).

- `ConnectionWrites` runs them underneath a SQLAlchemy connection, which
  begins, binds the tenant and ends the transaction, and which the write's
  other statements (a domain's, a stored idempotent response) run on
  (`Writes.connection`). On SQLite the driver is the `sqlite3` connection,
  which SQLAlchemy runs without the driver's own transaction handling. On
  PostgreSQL, inside `Database.run`, it is psycopg's asyncio connection,
  awaited from the write's greenlet as SQLAlchemy's own execution would;
  synchronous engines (migrations, the CLI, tests) hand over a plain
  psycopg connection.
- `AsyncpgWrites` runs the statements of a PostgreSQL write outside a
  transaction (one writing statement, its record's) on the asyncpg
  connections the server's reads use (`edm.store.asyncpg_connections`),
  awaited from the write's greenlet: psycopg's asyncio round trip costs
  about twice asyncpg's client CPU, and an update is two of them. Such a
  write has no SQLAlchemy connection.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol

import psycopg
from sqlalchemy import Connection, Dialect, UpdateBase
from sqlalchemy.util import await_

from edm.store.reads import (
    Params,
    PostgreSQLReads,
    ReadRow,
    Statement,
    as_sqlalchemy_error,
    driver_statements,
)
from edm.store.write_budget import WriteBudget, spend


class Writes(Protocol):
    """Runs the statements of one write, all seeing the caller's tenant only."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def connection(self) -> Connection:
        """The write's SQLAlchemy connection, for statements the store does
        not run itself (a write outside a transaction on asyncpg has none)."""
        ...

    def first(
        self, statement: Statement, params: Params, *, record_write: bool = False
    ) -> ReadRow | None:
        """The first row of `statement` (a query, or a write with `RETURNING`)
        run with `params`, if any. `record_write` marks the statement that
        writes the write's record."""
        ...


def _spends(statement: Statement, record_write: bool) -> bool:
    return record_write or isinstance(statement, UpdateBase)


class ConnectionWrites:
    """A write's statements on the driver's connection underneath `connection`."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self._statements = driver_statements(self.dialect)

    def first(
        self, statement: Statement, params: Params, *, record_write: bool = False
    ) -> ReadRow | None:
        conn = self.connection
        if _spends(statement, record_write):
            spend(conn.get_execution_options(), record_write=record_write)
        compiled = self._statements[statement]
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
            raise as_sqlalchemy_error(sql, values, exc, self.dialect, lost=lost) from exc
        return None if row is None else compiled.row(row)


async def _fetch_one(
    connection: psycopg.AsyncConnection[Any], sql: str, values: Any
) -> tuple[Any, ...] | None:
    async with connection.cursor() as cursor:
        await cursor.execute(sql, values)
        row: tuple[Any, ...] | None = await cursor.fetchone()
        return row


class AsyncpgWrites:
    """A PostgreSQL write outside a transaction: its statements on a kept
    asyncpg connection, run as a read's are (`PostgreSQLReads`), each
    committing by itself, within `budget`."""

    def __init__(self, reads: PostgreSQLReads, budget: WriteBudget) -> None:
        self._reads = reads
        self._budget = budget
        self.dialect = reads.dialect

    @property
    def connection(self) -> Connection:
        raise RuntimeError(
            "this write outside a transaction runs on asyncpg and has no SQLAlchemy "
            "connection: it runs the store's statements and writes its record only; "
            "open it with Database.writes(transaction=True)"
        )

    def first(
        self, statement: Statement, params: Params, *, record_write: bool = False
    ) -> ReadRow | None:
        if _spends(statement, record_write):
            self._budget.spend(record_write=record_write)
        return await_(self._reads.first(statement, params))
