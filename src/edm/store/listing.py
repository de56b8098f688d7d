"""Keyset-paginated list queries.

A `ListQuery` says what the caller asked for in terms of manifest fields;
`page_shape` splits it into the shape of one indexed query that reads
`limit + 1` rows after the cursor position (so page 10,000 costs what page
1 costs) and the values it runs with, and `build_page` builds that query.
Building a statement and its cache key cost a quarter of a list request,
so statements are built once per shape (`RecordStore`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    bindparam,
    false,
    literal,
    or_,
    select,
    tuple_,
)

from edm.identity import Principal
from edm.manifest import Resource
from edm.manifest.model import RangeFilter
from edm.store.json_ops import ArrayHoldsAny
from edm.store.schema import TABLES, seq_column, sort_column_name
from edm.store.scope import ScopeShape, scope_clause, scope_parameters
from edm.store.search import (
    MIN_INDEXED_LENGTH,
    contains_text,
    indexed_search,
    may_match_number,
    search_parameters,
)

Params = dict[str, Any]
ComputedFilter = Callable[[str, bool], ColumnElement[bool]]
_AFTER_VALUE = "after_value"
_AFTER_ID = "after_id"


@dataclass(frozen=True, slots=True)
class AnyOf:
    """`field` equals one of `values` (or is null when `include_null`)."""

    field: str
    values: tuple[Any, ...]
    include_null: bool = False


@dataclass(frozen=True, slots=True)
class ContainsAny:
    """The array `field` holds at least one of `values` (bound as one JSON
    array, so the statement is the same for any number of values)."""

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


# A filter as its statement sees it: its class, its field, and what changes the SQL.
FilterShape = tuple[type, str, Hashable]


@dataclass(frozen=True, slots=True)
class PageShape:
    """What a page's statement looks like, whatever the values it compares with.

    Pages of one shape share one statement (`RecordStore` caches it), run
    with the `parameters` that `page_shape` draws from the query.
    """

    scope: ScopeShape
    order_field: str
    descending: bool
    limit: int
    filters: tuple[FilterShape, ...]
    search: tuple[bool, bool] | None  # (served by the trigram index, tests the number)
    after_null: bool | None  # None: the first page; else whether the cursor's sort value is NULL
    computed: tuple[tuple[str, bool], ...]


def _filter_param(index: int) -> str:
    return f"filter_{index}"


def page_shape(res: Resource, principal: Principal, query: ListQuery) -> tuple[PageShape, Params]:
    """The shape of `query`'s statement for `principal`, and the values to run it with."""
    params = scope_parameters(principal)
    filters: list[FilterShape] = []
    for index, flt in enumerate(query.filters):
        name = _filter_param(index)
        match flt:
            case AnyOf(field_name, values, include_null):
                filters.append((AnyOf, field_name, (bool(values), include_null)))
                params[name] = list(values)
            case ContainsAny(field_name, values):
                filters.append((ContainsAny, field_name, None))
                params[name] = orjson.dumps(values).decode()
            case Bound(field_name, bound, value):
                filters.append((Bound, field_name, bound))
                params[name] = value
    search = None
    if query.search:
        search = (len(query.search) >= MIN_INDEXED_LENGTH, may_match_number(res, query.search))
        params |= search_parameters(query.search)
    after_null = None
    if query.after is not None:
        after_null = query.after[0] is None
        params[_AFTER_VALUE], params[_AFTER_ID] = query.after
    shape = PageShape(
        ScopeShape.of(principal, include_deleted=query.include_deleted),
        query.order_field,
        query.descending,
        query.limit,
        tuple(filters),
        search,
        after_null,
        query.computed,
    )
    return shape, params


def _filter_column(res: Resource, name: str) -> str:
    """The stored column a filter on `name` compares (numbers by their sequence)."""
    if res.number and name == res.number.field:
        return seq_column(res) or name
    return name


def _filter_clause(
    res: Resource, table: Table, index: int, flt: FilterShape
) -> ColumnElement[bool]:
    kind, field_name, variant = flt
    name = _filter_param(index)
    if kind is AnyOf:
        has_values, include_null = cast(tuple[bool, bool], variant)
        column = table.c[_filter_column(res, field_name)]
        clauses: list[ColumnElement[bool]] = []
        if has_values:
            clauses.append(column.in_(bindparam(name, expanding=True)))
        if include_null:
            clauses.append(column.is_(None))
        return or_(*clauses) if clauses else false()
    if kind is ContainsAny:
        return ArrayHoldsAny(table.c[field_name], bindparam(name, type_=String()))
    column = table.c[field_name]
    value = bindparam(name, type_=column.type)
    return column > value if variant is RangeFilter.AFTER else column < value


def _searched_fields(res: Resource, tests_number: bool) -> list[str]:
    """The searchable fields a search tests (the number only where it can match)."""
    return [
        f.name
        for f in res.searchable_fields
        if tests_number or not (res.number and f.name == res.number.field)
    ]


def _search_clause(
    res: Resource, table: Table, indexed: bool, tests_number: bool
) -> ColumnElement[bool]:
    """A searchable field contains the text, any case (number only where it can match)."""
    return indexed_search(res, table, _searched_fields(res, tests_number), indexed)


def _after_clause(
    table: Table, column_name: str, nullable: bool, descending: bool, after_null: bool
) -> ColumnElement[bool]:
    """Rows strictly after the cursor's position in (column NULLS LAST, id) order."""
    column, ident = table.c[column_name], table.c.id
    value = bindparam(_AFTER_VALUE, type_=column.type)
    last_id = bindparam(_AFTER_ID, type_=ident.type)

    def beyond(left: Any, right: Any) -> ColumnElement[bool]:
        return left < right if descending else left > right  # type: ignore[no-any-return]

    if not nullable:
        return beyond(tuple_(column, ident), tuple_(value, last_id))
    if after_null:
        return and_(column.is_(None), beyond(ident, last_id))
    return or_(
        beyond(column, value),
        and_(column == value, beyond(ident, last_id)),
        column.is_(None),
    )


def build_page(
    res: Resource,
    shape: PageShape,
    computed: ComputedFilter | None,
    *columns: ColumnElement[Any],
) -> Select[Any]:
    """The statement of pages of `shape`, `limit + 1` rows to detect more:
    `columns` and the row's keyset position (sort column and id). `computed`
    gives the SQL of the resource's computed filters."""
    table = TABLES[res.name]
    where = [scope_clause(res, table, shape.scope)]
    where.extend(_filter_clause(res, table, i, f) for i, f in enumerate(shape.filters))
    if shape.search is not None:
        where.append(_search_clause(res, table, *shape.search))
    if shape.computed:
        assert computed is not None, shape.computed
        where.extend(computed(name, value) for name, value in shape.computed)
    column_name, nullable = _sort_column(res, shape.order_field)
    if shape.after_null is not None:
        where.append(
            _after_clause(table, column_name, nullable, shape.descending, shape.after_null)
        )
    return (
        select(*columns, *_position(table, column_name))
        .where(*where)
        .order_by(*_order(table, column_name, nullable, shape.descending))
        .limit(shape.limit + 1)
    )


def _sort_column(res: Resource, order_field: str) -> tuple[str, bool]:
    """The column behind the order on `order_field`, and whether it holds nulls."""
    column_name = sort_column_name(res, order_field)
    field_def = res.field(order_field)
    return column_name, field_def.nullable and column_name == field_def.name


def _position(table: Table, column_name: str) -> list[ColumnElement[Any]]:
    """A row's keyset position: its sort column, then its id."""
    return [table.c.id] if column_name == "id" else [table.c[column_name], table.c.id]


def _order(
    table: Any, column_name: str, nullable: bool, descending: bool
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The list order on `table`'s `column_name` (NULLS LAST), then its id."""
    column = table.c[column_name]
    primary = column.desc() if descending else column.asc()
    if nullable:
        primary = primary.nulls_last()
    return primary, table.c.id.desc() if descending else table.c.id.asc()


def build_recent_matches(
    res: Resource,
    shape: PageShape,
    computed: ComputedFilter | None,
    window: int,
    *columns: ColumnElement[Any],
) -> Select[Any]:
    """The page of `shape`, a search, among the `window` records that follow
    its cursor in its order, whatever their text; the rows `build_page`
    gives. It reads at most `window` records however large the table: a
    full page (`limit + 1` rows) is the page, and so is a short one if no
    records lie beyond the window (`build_records_beyond`). What a text
    whose trigrams are all common, and so may be, tries first
    (`RecordStore.page`)."""
    assert shape.search is not None
    table = TABLES[res.name]
    column_name, nullable = _sort_column(res, shape.order_field)
    fields = _searched_fields(res, shape.search[1])
    carried = [table.c[name] for name in ("tenant_id", *fields) if name not in {column_name, "id"}]
    following = replace(shape, search=None, limit=window - 1)
    recent = build_page(res, following, computed, *carried).subquery("recent")
    joined = table.join(
        recent, and_(table.c.tenant_id == recent.c.tenant_id, table.c.id == recent.c.id)
    )
    return (
        select(*columns, *_position(table, column_name))
        .select_from(joined)
        .where(contains_text(recent.c, fields))
        .order_by(*_order(recent, column_name, nullable, shape.descending))
        .limit(shape.limit + 1)
    )


def build_records_beyond(
    res: Resource, shape: PageShape, computed: ComputedFilter | None, window: int
) -> Select[Any]:
    """One row if more than `window` records follow the cursor of `shape` (a
    search's, whatever their text), none if not; it reads at most
    `window + 1` of them. When none lie beyond, `build_recent_matches` saw
    every record the search could find."""
    following = replace(shape, search=None, limit=window)  # window + 1 rows
    records = build_page(res, following, computed).subquery("following")
    return select(literal(1)).select_from(records).offset(window)


def page_statement(
    res: Resource,
    principal: Principal,
    query: ListQuery,
    *columns: ColumnElement[Any],
    computed: ComputedFilter | None = None,
) -> tuple[Select[Any], Params]:
    """One page of `res` visible to `principal`, built afresh, and its parameters."""
    shape, params = page_shape(res, principal, query)
    return build_page(res, shape, computed, *columns), params


def position_of(res: Resource, order_field: str, row: Any) -> tuple[Any, str]:
    """The keyset position of `row` for the order on `order_field`."""
    return getattr(row, sort_column_name(res, order_field)), row.id
