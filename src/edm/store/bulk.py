"""Bulk loading of records in one transaction, by each database's fastest path.

PostgreSQL takes the rows through `COPY ... FROM STDIN` (psycopg's copy);
SQLite through one `executemany` of a prepared INSERT. Rows are completed
as the service would store them: the manifest's defaults for fields not
given, defaults of the internal fields, the hidden columns (revision,
number sequence, enum ranks) and, for numbered resources, numbers from a
block of the tenant's counter taken in the same transaction, so numbers
stay unique and gapless beside concurrent API creates.

Values go through each column's SQLAlchemy bind processor, so they reach
the driver exactly as an ordinary INSERT would send them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from itertools import count, islice
from typing import Any

from sqlalchemy import Connection, Table, insert

from edm.manifest import Resource
from edm.store.counters import allocate
from edm.store.records import RecordStore
from edm.store.schema import REVISION, TABLES, seq_column
from edm.store.writes import ConnectionWrites

Row = dict[str, Any]
SQLITE_CHUNK = 50_000  # rows staged per statement on SQLite


class BulkLoader:
    """Completes and writes the records of one resource."""

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.table: Table = TABLES[res.name]
        self._store = RecordStore(res)
        self._defaults = {f.name: f.default for f in (*res.writable_fields, *res.internal_fields)}
        self._seq_column = seq_column(res)

    def complete(self, values: Row, seq: int | None = None) -> Row:
        """The full stored row for `values` (fields, base stamps and domain stamps)."""
        row = {name: deepcopy(default) for name, default in self._defaults.items()}
        row.update(values)
        if self.res.number is not None and self._seq_column is not None:
            if seq is None:
                raise ValueError(f"{self.res.name} rows need a number sequence")
            row[self.res.number.field] = self.res.number.format(seq)
            row[self._seq_column] = seq
        row = self._store.with_hidden_columns(row)
        row[REVISION] = 1
        missing = [c.name for c in self.table.columns if c.name not in row and not c.nullable]
        if missing:
            raise ValueError(f"{self.res.name} row lacks {', '.join(missing)}")
        return row

    def load(self, conn: Connection, tenant_id: str, rows: Iterable[Row], size: int) -> int:
        """Insert `size` rows of one tenant (numbered from its counter); returns the first number.

        `rows` yields field values (including the base stamps); it must
        yield exactly `size` rows, all of `tenant_id`.
        """
        first = 1
        if self.res.number is not None:
            first = allocate(ConnectionWrites(conn), tenant_id, self.res.name, size)
        completed = (
            self.complete(values, seq)
            for values, seq in zip(_checked(rows, tenant_id, size), count(first), strict=False)
        )
        driver_rows = self._driver_rows(conn, completed)
        if conn.dialect.name == "postgresql":
            self._copy(conn, driver_rows)
        else:
            self._executemany(conn, driver_rows)
        return first

    def _driver_rows(self, conn: Connection, rows: Iterable[Row]) -> Iterator[tuple[Any, ...]]:
        """Rows as tuples of driver values, in table column order."""
        dialect = conn.dialect
        processors: list[tuple[str, Callable[[Any], Any] | None]] = [
            (c.name, c.type.dialect_impl(dialect).bind_processor(dialect))
            for c in self.table.columns
        ]
        for row in rows:
            yield tuple(
                process(row.get(name)) if process else row.get(name) for name, process in processors
            )

    def _columns(self) -> str:
        return ", ".join(f'"{c.name}"' for c in self.table.columns)

    def _copy(self, conn: Connection, rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        statement = f'COPY "{self.table.name}" ({self._columns()}) FROM STDIN'
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _executemany(self, conn: Connection, rows: Iterable[tuple[Any, ...]]) -> None:
        """SQLite: stage each chunk in a temporary table, then move it in one statement.

        Triggers (the search index's) then fire inside one statement per
        chunk instead of one per row, which lets FTS5 buffer its writes.
        """
        compiled = insert(self.table).compile(dialect=conn.dialect)
        names = [c.name for c in self.table.columns]
        if list(compiled.positiontup or ()) != names:
            raise AssertionError("INSERT parameters are not in table column order")
        name, columns = self.table.name, self._columns()
        stage = f'temp."edm_bulk_{name}"'
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f'CREATE TEMP TABLE {stage} AS SELECT {columns} FROM "{name}" WHERE 0')
        stage_insert = f"INSERT INTO {stage} VALUES ({', '.join('?' * len(names))})"
        try:
            for chunk in _chunks(rows, SQLITE_CHUNK):
                cursor.executemany(stage_insert, chunk)
                cursor.execute(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM {stage}')
                cursor.execute(f"DELETE FROM {stage}")
        finally:
            cursor.execute(f"DROP TABLE {stage}")


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _checked(rows: Iterable[Row], tenant_id: str, size: int) -> Iterator[Row]:
    """`rows`, refusing another tenant's rows or a count other than `size`."""
    produced = 0
    for row in rows:
        if row["tenant_id"] != tenant_id:
            raise ValueError(f"row of tenant {row['tenant_id']!r} in a load of {tenant_id!r}")
        produced += 1
        if produced > size:
            raise ValueError(f"more than {size} rows given")
        yield row
    if produced != size:
        raise ValueError(f"{produced} rows given, {size} announced")
