"""Reading and writing the records of one resource, always within scope."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Insert,
    Row,
    Select,
    Text,
    Update,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)

from edm.identity import Principal
from edm.manifest import FieldType, Resource
from edm.store.counters import COUNTER_TENANT, allocate, next_value
from edm.store.listing import (
    ComputedFilter,
    ListQuery,
    PageShape,
    Params,
    build_page,
    page_shape,
)
from edm.store.reads import ReadRow, Reads
from edm.store.record_json import record_json
from edm.store.schema import REVISION, TABLES, rank_column, seq_column
from edm.store.scope import ScopeShape, scope_clause, scope_parameters
from edm.store.search import RareTrigrams

_KEY = "record_key"
_WHERE_TENANT = "where_tenant_id"
_WHERE_ID = "where_id"


class RecordStore:
    """Data access for one resource; every query is narrowed to the caller's scope.

    Records come back with every column plus `record_json`, the record as
    clients see it (`edm.store.record_json`); list pages with that and
    their keyset position only. Statements are built once and executed with
    parameters: building one costs more than running it.
    """

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.table = TABLES[res.name]
        self._rare_trigrams = RareTrigrams(res) if res.searchable_fields else None
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

    def insert(self, conn: Connection, values: dict[str, Any]) -> Row[Any]:
        """Insert a record; a numbered resource's record takes the next number
        of its tenant's counter (`edm.store.counters`).

        On PostgreSQL the inserting statement takes the number itself:
        concurrent creates in a tenant wait for each other from taking it to
        their commit, and each round trip less in that span lets more of
        them overlap.
        """
        row = self.with_hidden_columns(values)
        row[REVISION] = 1
        number, seq_name = self.res.number, seq_column(self.res)
        if number is not None and seq_name is not None:
            if conn.dialect.name == "postgresql":
                row[COUNTER_TENANT] = row["tenant_id"]
            else:
                seq = allocate(conn, row["tenant_id"], self.res.name)
                row |= {number.field: number.format(seq), seq_name: seq}
        return conn.execute(self._insert_statement(conn.dialect), row).one()

    @cache  # noqa: B019 - one store per resource, kept for the process's life
    def _insert_statement(self, dialect: Dialect) -> Insert:
        statement = insert(self.table)
        number, seq_name = self.res.number, seq_column(self.res)
        if number is not None and seq_name is not None and dialect.name == "postgresql":
            taken = next_value(self.res.name)
            digits = cast(taken.c.value, Text)
            padded = func.lpad(digits, func.greatest(number.min_digits, func.length(digits)), "0")
            statement = statement.add_cte(taken).values(
                {
                    number.field: select(literal(f"{number.prefix}-") + padded).scalar_subquery(),
                    seq_name: select(taken.c.value).scalar_subquery(),
                }
            )
        return statement.returning(self.table, record_json(self.res, dialect))

    def find(
        self,
        conn: Connection,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Row[Any] | None:
        """The visible record whose id (or human number) is `key`, every column."""
        statement, params = self.find_query(
            conn.dialect, principal, key, include_deleted=include_deleted, for_update=for_update
        )
        return conn.execute(statement, params).one_or_none()

    def find_query(
        self,
        dialect: Dialect,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
        response_only: bool = False,
    ) -> tuple[Select[Any], Params]:
        """The statement reading the visible record whose id (or human number)
        is `key`, and its parameters: every column, or with `response_only`
        just what an answer needs (id, revision for the ETag, `record_json`)."""
        seq = self.res.number.parse(key) if self.res.number else None
        statement = self._find_statement(
            dialect,
            ScopeShape.of(principal, include_deleted=include_deleted),
            by_number=seq is not None,
            for_update=for_update and dialect.name == "postgresql",
            response_only=response_only,
        )
        params = scope_parameters(principal)
        params[_KEY] = key if seq is None else seq
        return statement, params

    @cache  # noqa: B019 - one store per resource, kept for the process's life
    def _find_statement(
        self,
        dialect: Dialect,
        shape: ScopeShape,
        *,
        by_number: bool,
        for_update: bool,
        response_only: bool,
    ) -> Select[Any]:
        table = self.table
        columns = (table.c.id, table.c[REVISION]) if response_only else (table,)
        column = table.c[seq_column(self.res) or ""] if by_number else table.c.id
        stmt = select(*columns, record_json(self.res, dialect)).where(
            scope_clause(self.res, table, shape), column == bindparam(_KEY)
        )
        return stmt.with_for_update() if for_update else stmt

    def update(self, conn: Connection, current: Row[Any], changes: dict[str, Any]) -> Row[Any]:
        """Write `changes` to the row read as `current` and bump its revision."""
        values = self.with_hidden_columns(changes)
        values[REVISION] = current.revision + 1
        values[_WHERE_TENANT], values[_WHERE_ID] = current.tenant_id, current.id
        return conn.execute(self._update_statement(conn.dialect), values).one()

    @cache  # noqa: B019 - one store per resource, kept for the process's life
    def _update_statement(self, dialect: Dialect) -> Update:
        """Sets the columns named by the execution's parameters."""
        table = self.table
        return (
            update(table)
            .where(
                table.c.tenant_id == bindparam(_WHERE_TENANT), table.c.id == bindparam(_WHERE_ID)
            )
            .returning(table, record_json(self.res, dialect))
        )

    async def page(
        self,
        reads: Reads,
        principal: Principal,
        query: ListQuery,
        computed: ComputedFilter | None = None,
        parameters: Params | None = None,
    ) -> list[ReadRow]:
        """One page of `query`, with the resource's `computed` filters run with
        `parameters`: each row holds `record_json` and the columns of its
        keyset position. A search asks the index for the rarest trigrams of
        its text (`RareTrigrams`)."""
        shape, params = page_shape(self.res, principal, query)
        statement = self._page_statement(reads.dialect, shape, computed)
        params |= parameters or {}
        if query.search and self._rare_trigrams is not None:
            params |= await self._rare_trigrams.parameters(reads, query.search)
        return await reads.all(statement, params)

    @lru_cache(maxsize=1024)  # noqa: B019 - one store per resource, kept for the process's life
    def _page_statement(
        self, dialect: Dialect, shape: PageShape, computed: ComputedFilter | None
    ) -> Select[Any]:
        return build_page(self.res, shape, computed, record_json(self.res, dialect))
