"""Reading and writing the records of one resource, always within scope."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, insert, select, update

from edm.identity import Principal
from edm.manifest import FieldType, Resource
from edm.store.listing import ListQuery, select_page
from edm.store.schema import REVISION, TABLES, rank_column, seq_column
from edm.store.scope import ScopeShape, scope_clause, scope_parameters

_KEY = "record_key"


class RecordStore:
    """Data access for one resource; every query is narrowed to the caller's scope."""

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.table = TABLES[res.name]
        self._ranked = {
            f.name: {value: rank for rank, value in enumerate(f.enum or ())}
            for f in res.fields
            if f.type is FieldType.ENUM and f.sortable
        }

    def with_hidden_columns(self, values: dict[str, Any]) -> dict[str, Any]:
        """Add the index-only columns derived from `values`."""
        derived = dict(values)
        for name, ranks in self._ranked.items():
            if name in values:
                derived[rank_column(self.res.field(name))] = ranks[values[name]]
        return derived

    def insert(
        self, conn: Connection, values: dict[str, Any], *, seq: int | None = None
    ) -> Row[Any]:
        row = self.with_hidden_columns(values)
        row[REVISION] = 1
        if (seq_name := seq_column(self.res)) is not None:
            row[seq_name] = seq
        # Parameters rather than .values(row): SQLAlchemy caches the compiled statement.
        return conn.execute(insert(self.table).returning(self.table), row).one()

    def find(
        self,
        conn: Connection,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Row[Any] | None:
        """The visible record whose id (or human number) is `key`."""
        seq = self.res.number.parse(key) if self.res.number else None
        stmt = self._find_statement(
            ScopeShape.of(principal, include_deleted=include_deleted),
            by_number=seq is not None,
            for_update=for_update and conn.dialect.name == "postgresql",
        )
        params = scope_parameters(principal)
        params[_KEY] = key if seq is None else seq
        return conn.execute(stmt, params).one_or_none()

    @cache  # noqa: B019 - one store per resource, kept for the process's life
    def _find_statement(
        self, shape: ScopeShape, *, by_number: bool, for_update: bool
    ) -> Select[Any]:
        """Built once per shape: building a statement costs more than running it."""
        table = self.table
        column = table.c[seq_column(self.res) or ""] if by_number else table.c.id
        stmt = select(table).where(scope_clause(self.res, table, shape), column == bindparam(_KEY))
        return stmt.with_for_update() if for_update else stmt

    def update(self, conn: Connection, current: Row[Any], changes: dict[str, Any]) -> Row[Any]:
        """Write `changes` to the row read as `current` and bump its revision."""
        table = self.table
        values = self.with_hidden_columns(changes)
        values[REVISION] = current.revision + 1
        stmt = (
            update(table)
            .where(table.c.tenant_id == current.tenant_id, table.c.id == current.id)
            .values(values)
            .returning(table)
        )
        return conn.execute(stmt).one()

    def page(
        self,
        conn: Connection,
        principal: Principal,
        query: ListQuery,
        conditions: tuple[ColumnElement[bool], ...] = (),
    ) -> list[Row[Any]]:
        """One page of `query`, narrowed by extra domain `conditions`."""
        return list(conn.execute(select_page(self.res, principal, query).where(*conditions)))
