"""Reading and writing the records of one resource, always within scope."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Dialect,
    Insert,
    Select,
    Text,
    Update,
    bindparam,
    cast,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from edm.identity import Principal
from edm.manifest import FieldType, Resource, resource
from edm.store.counters import COUNTER_TENANT, allocate, next_value
from edm.store.listing import (
    ComputedFilter,
    ListQuery,
    PageShape,
    Params,
    build_page,
    build_recent_matches,
    build_records_beyond,
    page_shape,
)
from edm.store.reads import ReadRow, Reads, Statement
from edm.store.record_json import record_json
from edm.store.schema import REVISION, TABLES, rank_column, seq_column
from edm.store.scope import ScopeShape, scope_clause, scope_parameters
from edm.store.search import RareTrigrams
from edm.store.writes import Writes

_KEY = "record_key"
_WHERE_TENANT = "where_tenant_id"
_WHERE_ID = "where_id"
_WHERE_REVISION = "where_revision"
_EVENT = "event_"  # prefix of the history event's parameters in a record's statement


class RecordStore:
    """Data access for one resource; every query is narrowed to the caller's scope.

    Records come back with every column plus `record_json`, the record as
    clients see it (`edm.store.record_json`); list pages with that and
    their keyset position only. Statements are built once and executed with
    parameters: building one costs more than running it.

    A write of a resource with history takes its history event with it
    (`event`, the event's values). On PostgreSQL the record, its number and
    its event are one statement, so a write outside a transaction is still
    all or nothing; on SQLite, which has no writing CTEs, the event follows
    in the same transaction.
    """

    SEARCH_WINDOW = 1000  # records a page of a common text is looked for among first

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.table = TABLES[res.name]
        self._events = RecordStore(resource("events")) if res.history else None
        self._blank: dict[str, Any] = dict.fromkeys(c.name for c in self.table.c)
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

    def new_row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every column of a new record with `values` (null where they have
        none), less its number."""
        row = self._blank | self.with_hidden_columns(dict(values))
        row[REVISION] = 1
        return row

    def insert(
        self, writes: Writes, values: dict[str, Any], event: Mapping[str, Any] | None = None
    ) -> ReadRow:
        """Insert a record (with its history `event`, if given); a numbered
        resource's record takes the next number of its tenant's counter
        (`edm.store.counters`), which joins the event's changes.

        On PostgreSQL the inserting statement takes the number itself:
        concurrent creates in a tenant wait for each other from taking it to
        their commit, and a create outside a transaction commits with that
        statement, so no round trip falls in that span.
        """
        row = self.new_row(values)
        number, seq_name = self.res.number, seq_column(self.res)
        if number is not None and seq_name is not None:
            if writes.dialect.name == "postgresql":
                row[COUNTER_TENANT] = row["tenant_id"]
            else:
                seq = allocate(writes, row["tenant_id"], self.res.name)
                row |= {number.field: number.format(seq), seq_name: seq}
        carried = self._carried_event(writes.dialect, event)
        row |= carried or {}
        statement = self._insert_statement(writes.dialect, with_event=carried is not None)
        record = writes.first(statement, row, record_write=True)
        assert record is not None, "an insert returns its row"
        if event is not None and carried is None:
            if number is not None:
                number_change = [None, getattr(record, number.field)]
                event = {**event, "changes": {**event["changes"], number.field: number_change}}
            self._append(writes, event)
        return record

    @cache  # noqa: B019 - one store per resource, kept for the process's life
    def _insert_statement(self, dialect: Dialect, *, with_event: bool) -> Statement:
        """Binds every column by name (a record's values leave out what is null)."""
        table = self.table
        values: dict[str, Any] = {c.name: bindparam(c.name, type_=c.type) for c in table.c}
        statement = insert(table)
        number, seq_name = self.res.number, seq_column(self.res)
        if number is not None and seq_name is not None and dialect.name == "postgresql":
            taken = next_value(self.res.name)
            digits = cast(taken.c.value, Text)
            padded = func.lpad(digits, func.greatest(number.min_digits, func.length(digits)), "0")
            statement = statement.add_cte(taken)
            values[number.field] = select(literal(f"{number.prefix}-") + padded).scalar_subquery()
            values[seq_name] = select(taken.c.value).scalar_subquery()
        statement = statement.values(values).returning(table, record_json(self.res, dialect))
        return self._with_event(statement, numbered=True) if with_event else statement

    def _with_event(self, written: Insert | Update, *, numbered: bool) -> Select[Any]:
        """PostgreSQL: `written` and its record's history event as one statement,
        answering what `written` returns. The event is inserted only if a
        record was written; on a create of a numbered resource its changes
        gain the number the statement took."""
        record = written.cte("written")
        assert self._events is not None
        events = self._events.table
        values: dict[str, Any] = {
            c.name: bindparam(_EVENT + c.name, type_=c.type) for c in events.c
        }
        number = self.res.number
        if numbered and number is not None:
            number_change = func.jsonb_build_array(null(), record.c[number.field])
            values["changes"] = values["changes"].op("||", return_type=JSONB)(
                func.jsonb_build_object(literal(number.field), number_change)
            )
        event = insert(events).from_select(
            list(values), select(*values.values()).select_from(record)
        )
        return select(record).add_cte(event.cte("event"))

    def _carried_event(
        self, dialect: Dialect, event: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """The parameters of `event` where the record's statement carries it
        (PostgreSQL), else None."""
        if event is None or dialect.name != "postgresql":
            return None
        assert self._events is not None
        return {_EVENT + name: value for name, value in self._events.new_row(event).items()}

    def _append(self, writes: Writes, event: Mapping[str, Any]) -> None:
        assert self._events is not None
        self._events.insert(writes, dict(event))

    def find(
        self,
        writes: Writes,
        principal: Principal,
        key: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> ReadRow | None:
        """The visible record whose id (or human number) is `key`, every column."""
        statement, params = self.find_query(
            writes.dialect, principal, key, include_deleted=include_deleted, for_update=for_update
        )
        return writes.first(statement, params)

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
        just what an answer needs (id, revision for the ETag, the parent's id,
        `record_json`)."""
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
        parent = (table.c[self.res.parent.field],) if self.res.parent is not None else ()
        columns = (table.c.id, table.c[REVISION], *parent) if response_only else (table,)
        column = table.c[seq_column(self.res) or ""] if by_number else table.c.id
        stmt = select(*columns, record_json(self.res, dialect)).where(
            scope_clause(self.res, table, shape), column == bindparam(_KEY)
        )
        return stmt.with_for_update() if for_update else stmt

    def update(
        self,
        writes: Writes,
        current: ReadRow,
        changes: dict[str, Any],
        event: Mapping[str, Any] | None = None,
    ) -> ReadRow | None:
        """Write `changes` (and the history `event`, if given) to the row read
        as `current` and bump its revision; None, writing nothing, if the
        row has been written since it was read."""
        values = self.with_hidden_columns(changes)
        values[REVISION] = current.revision + 1
        values |= {
            _WHERE_TENANT: current.tenant_id,
            _WHERE_ID: current.id,
            _WHERE_REVISION: current.revision,
        }
        carried = self._carried_event(writes.dialect, event)
        values |= carried or {}
        statement = self._update_statement(
            writes.dialect, tuple(changes), with_event=carried is not None
        )
        record = writes.first(statement, values, record_write=True)
        if record is not None and event is not None and carried is None:
            self._append(writes, event)
        return record

    @lru_cache(maxsize=256)  # noqa: B019 - one store per resource, kept for the process's life
    def _update_statement(
        self, dialect: Dialect, changed: tuple[str, ...], *, with_event: bool
    ) -> Statement:
        """Sets the `changed` fields (with their hidden columns) and the revision."""
        table = self.table
        ranks = [rank_column(self.res.field(name)) for name in changed if name in self._ranked]
        columns = [*changed, *ranks, REVISION]
        statement = (
            update(table)
            .where(
                table.c.tenant_id == bindparam(_WHERE_TENANT),
                table.c.id == bindparam(_WHERE_ID),
                table.c[REVISION] == bindparam(_WHERE_REVISION),
            )
            .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
            .returning(table, record_json(self.res, dialect))
        )
        return self._with_event(statement, numbered=False) if with_event else statement

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
        keyset position.

        A search asks the index for the rarest trigrams of its text
        (`RareTrigrams`). A text whose trigrams are all common may be
        common too, and the index would read the long lists of records of
        those trigrams: if its rarest trigram is in enough records for a
        page among the `SEARCH_WINDOW` records that follow the cursor, the
        page is looked for there first, and the index is asked only if
        they hold less than a page and more records lie beyond them (a
        tenant that small is read whole by the window).
        """
        shape, params = page_shape(self.res, principal, query)
        params |= parameters or {}
        if query.search and self._rare_trigrams is not None:
            plan = await self._rare_trigrams.plan(reads, query.search, principal.tenant_id)
            params |= plan.parameters
            if plan.common_share * self.SEARCH_WINDOW > query.limit:
                recent = self._recent_matches_statement(reads.dialect, shape, computed)
                rows = await reads.all(recent, params)
                if len(rows) > query.limit:
                    return rows
                beyond = self._records_beyond_statement(shape, computed)
                if await reads.first(beyond, params) is None:
                    return rows
        return await reads.all(self._page_statement(reads.dialect, shape, computed), params)

    @lru_cache(maxsize=1024)  # noqa: B019 - one store per resource, kept for the process's life
    def _page_statement(
        self, dialect: Dialect, shape: PageShape, computed: ComputedFilter | None
    ) -> Select[Any]:
        return build_page(self.res, shape, computed, record_json(self.res, dialect))

    @lru_cache(maxsize=256)  # noqa: B019 - one store per resource, kept for the process's life
    def _records_beyond_statement(
        self, shape: PageShape, computed: ComputedFilter | None
    ) -> Select[Any]:
        return build_records_beyond(self.res, shape, computed, self.SEARCH_WINDOW)

    @lru_cache(maxsize=256)  # noqa: B019 - one store per resource, kept for the process's life
    def _recent_matches_statement(
        self, dialect: Dialect, shape: PageShape, computed: ComputedFilter | None
    ) -> Select[Any]:
        return build_recent_matches(
            self.res, shape, computed, self.SEARCH_WINDOW, record_json(self.res, dialect)
        )
