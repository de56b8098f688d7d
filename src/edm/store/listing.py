"""Keyset-paginated list queries.

A `ListQuery` says what the caller asked for in terms of manifest fields;
`select_page` turns it into one indexed query that reads `limit + 1` rows
after the cursor position, so page 10,000 costs what page 1 costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, false, or_, select, tuple_

from edm.identity import Principal
from edm.manifest import Resource
from edm.manifest.model import RangeFilter
from edm.store.json_ops import ArrayContains
from edm.store.schema import TABLES, seq_column, sort_column_name
from edm.store.scope import visible_to
from edm.store.search import indexed_search, may_match_number


@dataclass(frozen=True, slots=True)
class AnyOf:
    """`field` equals one of `values` (or is null when `include_null`)."""

    field: str
    values: tuple[Any, ...]
    include_null: bool = False


@dataclass(frozen=True, slots=True)
class ContainsAny:
    """The array `field` holds at least one of `values`."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bound:
    """`field` is after (exclusive) or before (exclusive) `value`."""

    field: str
    bound: RangeFilter
    value: datetime


Filter = AnyOf | ContainsAny | Bound


@dataclass(frozen=True, slots=True)
class ListQuery:
    order_field: str
    descending: bool
    limit: int
    filters: tuple[Filter, ...] = ()
    search: str | None = None
    include_deleted: bool = False
    after: tuple[Any, str] | None = field(default=None)  # (sort value, id) of the last row seen
    computed: tuple[tuple[str, bool], ...] = ()  # manifest computed filters and their values


def escape_like(text: str) -> str:
    """Make LIKE metacharacters literal (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_column(res: Resource, name: str) -> str:
    """The stored column a filter on `name` compares (numbers by their sequence)."""
    if res.number and name == res.number.field:
        return seq_column(res) or name
    return name


def _filter_clause(res: Resource, table: Table, flt: Filter) -> ColumnElement[bool]:
    match flt:
        case AnyOf(name, values, include_null):
            column = table.c[_filter_column(res, name)]
            clauses: list[ColumnElement[bool]] = []
            if values:
                clauses.append(column.in_(values))
            if include_null:
                clauses.append(column.is_(None))
            return or_(*clauses) if clauses else false()
        case ContainsAny(name, values):
            return or_(*(ArrayContains(table.c[name], v) for v in values))
        case Bound(name, RangeFilter.AFTER, value):
            return table.c[name] > value
        case Bound(name, RangeFilter.BEFORE, value):
            return table.c[name] < value
    raise AssertionError(flt)


def _search_clause(res: Resource, table: Table, text: str) -> ColumnElement[bool]:
    """A searchable field contains `text`, any case (number only where it can match)."""
    pattern = f"%{escape_like(text)}%"
    fields = [
        f
        for f in res.searchable_fields
        if not (res.number and f.name == res.number.field) or may_match_number(res, text)
    ]

    def test(columns: Any) -> ColumnElement[bool]:
        tests = [columns[f.name].ilike(pattern, escape="\\") for f in fields]
        return or_(*tests) if tests else false()

    return indexed_search(res, table, text, test)


def _after_clause(
    table: Table, column_name: str, nullable: bool, descending: bool, after: tuple[Any, str]
) -> ColumnElement[bool]:
    """Rows strictly after `after` in (column NULLS LAST, id) order."""
    value, last_id = after
    column, ident = table.c[column_name], table.c.id

    def beyond(left: Any, right: Any) -> ColumnElement[bool]:
        return left < right if descending else left > right  # type: ignore[no-any-return]

    if not nullable:
        return beyond(tuple_(column, ident), tuple_(value, last_id))
    if value is None:
        return and_(column.is_(None), beyond(ident, last_id))
    return or_(
        beyond(column, value),
        and_(column == value, beyond(ident, last_id)),
        column.is_(None),
    )


def select_page(
    res: Resource, principal: Principal, query: ListQuery, *columns: ColumnElement[Any]
) -> Select[Any]:
    """One page of `res` visible to `principal`, `limit + 1` rows to detect more:
    `columns` and the row's keyset position (sort column and id)."""
    table = TABLES[res.name]
    where = [visible_to(res, table, principal, include_deleted=query.include_deleted)]
    where.extend(_filter_clause(res, table, f) for f in query.filters)
    if query.search:
        where.append(_search_clause(res, table, query.search))
    column_name = sort_column_name(res, query.order_field)
    field_def = res.field(query.order_field)
    nullable = field_def.nullable and column_name == field_def.name
    if query.after is not None:
        where.append(_after_clause(table, column_name, nullable, query.descending, query.after))
    column = table.c[column_name]
    primary = column.desc() if query.descending else column.asc()
    if nullable:
        primary = primary.nulls_last()
    tie_break = table.c.id.desc() if query.descending else table.c.id.asc()
    position = [column] if column is table.c.id else [column, table.c.id]
    return (
        select(*columns, *position)
        .where(*where)
        .order_by(primary, tie_break)
        .limit(query.limit + 1)
    )


def position_of(res: Resource, order_field: str, row: Any) -> tuple[Any, str]:
    """The keyset position of `row` for the order on `order_field`."""
    return row._mapping[sort_column_name(res, order_field)], row.id
