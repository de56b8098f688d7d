"""Running the statements of a read: on SQLAlchemy's connection, or on psycopg's.

A read (a get; a nested list's parent lookup and its page) runs its
statements through a `Reads`:

- `ConnectionReads` runs them on a SQLAlchemy `Connection`: SQLite, where
  a statement is an in-process call, and synchronous engines.
- `DriverReads` runs them on the psycopg asyncio connection underneath a
  connection of SQLAlchemy's pool (`Database.reading`). Around a single
  statement, SQLAlchemy's asyncio adaptation (greenlet switches on every
  round trip), its events and its result objects cost more CPU than the
  rest of a `GET` (docs/performance.md). The statements stay SQLAlchemy's:
  each is compiled once, `construct_expanded_state` renders its IN lists,
  its types' bind processors convert the values, and a driver error
  reaches the app as SQLAlchemy's `DBAPIError`, as from any other query.

Rows are read by attribute (`row.id`, `row.record_json`) whichever runs
them: SQLAlchemy's `Row`, or a named tuple of psycopg's. A timestamp a
driver read returns is in the session's time zone (the same instant).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from weakref import WeakKeyDictionary

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

Params = dict[str, Any]
# A row of a read, read by attribute: SQLAlchemy's `Row` or a named tuple.
ReadRow = Any


class Reads(Protocol):
    """Runs the statements of one read, all seeing the caller's tenant only."""

    @property
    def dialect(self) -> Dialect: ...

    async def first(self, statement: Select[Any], params: Params) -> ReadRow | None: ...

    async def all(self, statement: Select[Any], params: Params) -> list[ReadRow]: ...


class ConnectionReads:
    """A read's statements on a SQLAlchemy connection, run as they are called."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    async def first(self, statement: Select[Any], params: Params) -> ReadRow | None:
        return self._conn.execute(statement, params).first()

    async def all(self, statement: Select[Any], params: Params) -> list[ReadRow]:
        return list(self._conn.execute(statement, params))


class _DriverStatement:
    """A statement compiled for the driver, and its parameters' bind processors."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.compiled = compiled
        escaped = compiled.escaped_bind_names
        self.processors: Mapping[str, Callable[[Any], Any]] = {
            escaped.get(name, name): process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }

    def sql_and_values(self, params: Params) -> tuple[str, Params]:
        """The SQL to send with `params` (IN lists rendered) and its converted values."""
        state = self.compiled.construct_expanded_state(params)
        values = dict(state.parameters)
        for processors in (self.processors, state.processors):
            for name, process in processors.items():
                if name in values:
                    values[name] = process(values[name])
        return state.statement, values


class DriverStatements:
    """The driver form of each statement, compiled on first use.

    Keyed weakly by the statement object: the stores build each of their
    statements once and keep it, so a lookup is a dictionary hit.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: WeakKeyDictionary[Select[Any], _DriverStatement] = WeakKeyDictionary()

    def __getitem__(self, statement: Select[Any]) -> _DriverStatement:
        compiled = self._compiled.get(statement)
        if compiled is None:
            compiled = self._compiled[statement] = _DriverStatement(statement, self.dialect)
        return compiled


class DriverReads:
    """A read's statements on psycopg's asyncio connection, one round trip each."""

    def __init__(
        self, connection: psycopg.AsyncConnection[Any], statements: DriverStatements
    ) -> None:
        self._connection = connection
        self._statements = statements
        self.dialect = statements.dialect

    async def first(self, statement: Select[Any], params: Params) -> ReadRow | None:
        cursor = await self._execute(statement, params)
        return await cursor.fetchone()

    async def all(self, statement: Select[Any], params: Params) -> list[ReadRow]:
        cursor = await self._execute(statement, params)
        return await cursor.fetchall()

    async def execute_sql(self, sql: str) -> None:
        """Run `sql`, which takes no parameters."""
        await self._run(sql, None)

    async def _execute(
        self, statement: Select[Any], params: Params
    ) -> psycopg.AsyncCursor[ReadRow]:
        sql, values = self._statements[statement].sql_and_values(params)
        return await self._run(sql, values)

    async def _run(self, sql: str, values: Params | None) -> psycopg.AsyncCursor[ReadRow]:
        cursor = self._connection.cursor(row_factory=namedtuple_row)
        try:
            await cursor.execute(sql, values)
        except psycopg.Error as exc:
            raise DBAPIError.instance(
                sql,
                values,
                exc,
                psycopg.Error,
                connection_invalidated=self._connection.broken,
                dialect=self._statements.dialect,
            ) from exc
        return cursor
