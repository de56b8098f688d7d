"""Running the statements of a read on the database driver's connection.

A read (a get; a nested list's parent lookup and its page) runs its
statements through a `Reads`, from `Database.reading`:

- `SQLiteReads` runs them on the `sqlite3` connection underneath a
  connection of SQLAlchemy's pool, `PostgreSQLReads` on an asyncpg
  connection kept for reads and one-statement writes
  (`edm.store.asyncpg_connections`). Around one statement, SQLAlchemy's
  execution (its events, execution context, result objects and, on
  PostgreSQL, a greenlet switch per round trip) cost more CPU than the
  rest of a `GET` (docs/performance.md). The statements stay
  SQLAlchemy's, compiled once for the engine's dialect (for asyncpg,
  SQLAlchemy's asyncpg dialect; both number PostgreSQL's `$1`
  placeholders): `construct_expanded_state` renders its IN lists, the
  types' bind and result processors convert values as SQLAlchemy would
  (timestamps come back as aware UTC datetimes), and a driver error
  reaches the app as SQLAlchemy's `DBAPIError`, as from any other query.
- `ConnectionReads` runs them on a SQLAlchemy `Connection`: synchronous
  PostgreSQL engines (tests and scripts that build a `Database` without
  `event_loop`).

Rows are read by attribute (`row.id`, `row.record_json`) or index, like
SQLAlchemy's, and convert a value when it is read (`DriverRow`). A read
is not a transaction: each statement sees its own snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy import Connection, Dialect, Select, UpdateBase
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler

from edm.store.asyncpg_connections import AsyncpgConnection, asyncpg_error

Params = dict[str, Any]
Statement = Select[Any] | UpdateBase  # a query, or a write with RETURNING
# A row of a read, read by attribute: a `DriverRow`, or SQLAlchemy's `Row`.
ReadRow = Any
Processor = Callable[[Any], Any]
# A row as the driver returns it, its values by position.
RowValues = Sequence[Any] | asyncpg.Record
T = TypeVar("T")


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


class DriverStatement:
    """A statement compiled for the driver, with its parameters' and columns'
    processors: a query, or a write with `RETURNING`."""

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self._compiled = compiled
        # Rendering IN lists costs ten times what binding plain values does.
        self._expands = bool(compiled.post_compile_params or compiled.literal_execute_params)
        escaped = compiled.escaped_bind_names
        self._binds: Mapping[str, Processor] = {
            escaped.get(name, name): process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        columns = list(statement.exported_columns)
        self.positions = {column.key: index for index, column in enumerate(columns) if column.key}
        self.processors: list[Processor | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def sql_and_values(self, params: Params) -> tuple[str, Params | list[Any]]:
        """The SQL to send with `params` (IN lists rendered) and its converted values."""
        compiled = self._compiled
        processors = [self._binds]
        if self._expands:
            state = compiled.construct_expanded_state(params)
            sql, values, positions = state.statement, dict(state.parameters), state.positiontup
            processors.append(state.processors)
        else:
            sql, positions = compiled.string, compiled.positiontup
            values = dict(compiled.construct_params(params))
        for converters in processors:
            for name, process in converters.items():
                if name in values:
                    values[name] = process(values[name])
        if positions is not None:
            return sql, [values[name] for name in positions]
        return sql, values

    def row(self, values: RowValues) -> DriverRow:
        return DriverRow(values, self)


class DriverRow:
    """A row of a driver statement, read by attribute (`row.id`) or index.

    Each value passes through its column's result processor when it is
    read, not when the row arrives: a list page reads the JSON of every
    row but the keyset position (a timestamp to convert) of its last only.
    """

    __slots__ = ("_statement", "_values")

    def __init__(self, values: RowValues, statement: DriverStatement) -> None:
        self._values = values
        self._statement = statement

    def __getitem__(self, index: int) -> Any:
        value = self._values[index]
        process = self._statement.processors[index]
        return value if process is None else process(value)

    def __getattr__(self, name: str) -> Any:
        index = self._statement.positions.get(name)
        if index is None:
            raise AttributeError(name)
        return self[index]

    @property
    def _mapping(self) -> dict[str, Any]:
        """Every column by name, as SQLAlchemy's `Row._mapping` gives them."""
        return {name: self[index] for name, index in self._statement.positions.items()}


class DriverStatements:
    """The driver form of each statement, compiled on first use.

    Keyed weakly by the statement object: the stores build each of their
    statements once and keep it, so a lookup is a dictionary hit.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: WeakKeyDictionary[Statement, DriverStatement] = WeakKeyDictionary()

    def __getitem__(self, statement: Statement) -> DriverStatement:
        compiled = self._compiled.get(statement)
        if compiled is None:
            compiled = self._compiled[statement] = DriverStatement(statement, self.dialect)
        return compiled


_DIALECTS_STATEMENTS: WeakKeyDictionary[Dialect, DriverStatements] = WeakKeyDictionary()


def driver_statements(dialect: Dialect) -> DriverStatements:
    """The statements compiled for `dialect`, one set per dialect (an
    engine's) however many reads and writes use it."""
    statements = _DIALECTS_STATEMENTS.get(dialect)
    if statements is None:
        statements = _DIALECTS_STATEMENTS[dialect] = DriverStatements(dialect)
    return statements


def as_sqlalchemy_error(
    sql: str, values: Any, exc: Exception, dialect: Dialect, *, lost: bool = False
) -> StatementError:
    """`exc`, raised by the driver, as SQLAlchemy would raise it."""
    return DBAPIError.instance(
        sql, values, exc, type(exc), connection_invalidated=lost, dialect=dialect
    )


class SQLiteReads:
    """A read's statements on a `sqlite3` connection in autocommit mode."""

    def __init__(self, connection: sqlite3.Connection, statements: DriverStatements) -> None:
        self._connection = connection
        self._statements = statements
        self.dialect = statements.dialect

    async def first(self, statement: Select[Any], params: Params) -> ReadRow | None:
        compiled, cursor = self._execute(statement, params)
        row = cursor.fetchone()
        return None if row is None else compiled.row(row)

    async def all(self, statement: Select[Any], params: Params) -> list[ReadRow]:
        compiled, cursor = self._execute(statement, params)
        return [compiled.row(row) for row in cursor.fetchall()]

    def _execute(
        self, statement: Select[Any], params: Params
    ) -> tuple[DriverStatement, sqlite3.Cursor]:
        compiled = self._statements[statement]
        sql, values = compiled.sql_and_values(params)
        try:
            return compiled, self._connection.execute(sql, values)
        except sqlite3.Error as exc:
            raise as_sqlalchemy_error(sql, values, exc, self.dialect) from exc


class PostgreSQLReads:
    """A read's statements on a kept asyncpg connection
    (`edm.store.asyncpg_connections`), one round trip each."""

    def __init__(self, kept: AsyncpgConnection, statements: DriverStatements) -> None:
        self._kept = kept
        self._statements = statements
        self.dialect = statements.dialect

    async def first(self, statement: Statement, params: Params) -> ReadRow | None:
        compiled = self._statements[statement]
        sql, values = compiled.sql_and_values(params)
        row = await self._run(self._kept.connection.fetchrow, sql, values)
        return None if row is None else compiled.row(row)

    async def all(self, statement: Select[Any], params: Params) -> list[ReadRow]:
        compiled = self._statements[statement]
        sql, values = compiled.sql_and_values(params)
        rows = await self._run(self._kept.connection.fetch, sql, values)
        return [compiled.row(row) for row in rows]

    async def execute_sql(self, sql: str) -> None:
        """Run `sql`, which takes no parameters."""
        await self._run(self._kept.connection.execute, sql, [])

    async def _run(self, call: Callable[..., Awaitable[T]], sql: str, values: Any) -> T:
        """`call(sql, *values)`; a driver error raised as SQLAlchemy's.

        The connection is marked busy while the statement runs: a read
        cancelled meanwhile leaves it so, and it is not reused.
        """
        kept = self._kept
        kept.busy = True
        try:
            result = await call(sql, *values)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            # PostgreSQL's errors come with its answer, and asyncpg refuses a
            # call before sending it: the connection is ready again unless lost.
            kept.busy = isinstance(exc, OSError)
            raise asyncpg_error(sql, values, exc, lost=kept.connection.is_closed()) from exc
        kept.busy = False
        return result
