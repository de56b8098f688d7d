"""Query-string parsing: every parameter is allow-listed from the manifest.

Unknown parameters, repeated single-valued ones and bad values are a 400
naming the parameter; comma-separated values mean "any of" and the literal
`null` matches a missing value. What a request can ask for is bounded
(`MAX_REPEATS`, `MAX_VALUES`, `MAX_SEARCH_LENGTH`), so no query string
makes a statement of unbounded size or cost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, String
from starlette.datastructures import QueryParams

from edm.errors import InvalidParameter
from edm.identity import Principal
from edm.manifest import Field, FieldType, Resource
from edm.store.cursor import CursorCodec, CursorError, CursorScope
from edm.store.listing import AnyOf, Bound, ContainsAny, Filter, ListQuery
from edm.store.schema import TABLES, sort_column_name

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_PARAM_LENGTH = 1000
MAX_REPEATS = 50  # times one parameter may be given (tags: one group of tags each)
MAX_VALUES = 50  # comma-separated values in one parameter
MAX_SEARCH_LENGTH = 200  # characters of `q`
_LIST_PARAMS = ("limit", "cursor", "order", "q", "include_deleted")
_DECIMAL = re.compile(r"[0-9]{1,4}")


def _single(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, "given more than once; use comma-separated values")
    return values[0] if values else None


def check_known(params: QueryParams, allowed: set[str]) -> None:
    """400 for any parameter outside `allowed`, NUL bytes, oversized values
    or a parameter given more than `MAX_REPEATS` times."""
    repeats: dict[str, int] = {}
    for name, value in params.multi_items():
        if name not in allowed:
            raise InvalidParameter(name, "unknown query parameter", code="unknown_parameter")
        if "\x00" in value or len(value) > MAX_PARAM_LENGTH:
            raise InvalidParameter(name, "contains a NUL byte or is too long")
        repeats[name] = repeats.get(name, 0) + 1
        if repeats[name] > MAX_REPEATS:
            raise InvalidParameter(
                name, f"given more than {MAX_REPEATS} times", code="too_many_values"
            )


def split_values(name: str, value: str) -> list[str]:
    """The comma-separated values of one parameter, at most `MAX_VALUES`."""
    values = value.split(",")
    if len(values) > MAX_VALUES:
        raise InvalidParameter(
            name, f"holds more than {MAX_VALUES} comma-separated values", code="too_many_values"
        )
    return values


def parse_bool(params: QueryParams, name: str) -> bool:
    value = _single(params, name)
    if value is None:
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise InvalidParameter(name, "must be true or false")


def parse_datetime(name: str, value: str) -> datetime:
    """An aware UTC datetime; naive values are taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidParameter(name, "must be an RFC 3339 date-time") from None


def _fits(column: Column[Any], value: Any) -> bool:
    """`value` is of the column's type and within its range: a bound parameter cannot fail."""
    kind = column.type
    if isinstance(kind, Integer):  # BigInteger included
        half = 2 ** (63 if isinstance(kind, BigInteger) else 31)
        return type(value) is int and -half <= value < half
    if isinstance(kind, String):  # Text included
        return (
            type(value) is str
            and "\x00" not in value
            and (kind.length is None or len(value) <= kind.length)
        )
    return False


class ListParams:
    """The list query parameters a resource accepts, derived from its manifest."""

    def __init__(self, res: Resource, codec: CursorCodec) -> None:
        self.res = res
        self.table = TABLES[res.name]
        self.codec = codec
        self.filters = {f.query_name: f for f in res.filterable_fields}
        self.ranges = {
            f.range_param(bound): (f, bound) for f in res.fields for bound in f.range_filters
        }
        self.computed = [f.name for f in res.computed_filters]
        self.allowed = {*_LIST_PARAMS, *self.filters, *self.ranges, *self.computed}
        if not res.searchable_fields:
            self.allowed.discard("q")

    def parse(self, params: QueryParams, principal: Principal) -> ListQuery:
        check_known(params, self.allowed)
        order_field, descending = self._order(params)
        order = ("-" if descending else "") + order_field
        after = self._cursor(params, principal, order_field, order)
        filters: list[Filter] = []
        for name, field in self.filters.items():
            filters.extend(self._filter(params, name, field))
        for name, (field, bound) in self.ranges.items():
            if (value := _single(params, name)) is not None:
                filters.append(Bound(field.name, bound, parse_datetime(name, value)))
        search = _single(params, "q")
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise InvalidParameter("q", f"is longer than {MAX_SEARCH_LENGTH} characters")
        return ListQuery(
            order_field=order_field,
            descending=descending,
            limit=self._limit(params),
            filters=tuple(filters),
            search=search or None,
            include_deleted=parse_bool(params, "include_deleted"),
            after=after,
            computed=tuple(
                (name, parse_bool(params, name)) for name in self.computed if name in params
            ),
        )

    def _limit(self, params: QueryParams) -> int:
        value = _single(params, "limit")
        if value is None:
            return DEFAULT_LIMIT
        if not _DECIMAL.fullmatch(value) or not 1 <= int(value) <= MAX_LIMIT:
            raise InvalidParameter("limit", f"must be an integer from 1 to {MAX_LIMIT}")
        return int(value)

    def _order(self, params: QueryParams) -> tuple[str, bool]:
        value = _single(params, "order")
        if value is None:
            value = self.res.default_order
        name = value.removeprefix("-")
        if not self.res.has_field(name) or not self.res.field(name).sortable:
            sortable = ", ".join(f.name for f in self.res.sortable_fields)
            raise InvalidParameter("order", f"must be one of {sortable}, optionally with '-'")
        return name, value.startswith("-")

    def _cursor(
        self, params: QueryParams, principal: Principal, order_field: str, order: str
    ) -> tuple[Any, str] | None:
        value = _single(params, "cursor")
        if value is None:
            return None
        scope = CursorScope(principal.tenant_id, principal.app_id, order)
        try:
            position = self.codec.decode(value, scope)
            if len(position) != 2 or not _fits(self.table.c.id, position[1]):
                raise CursorError("malformed cursor")
            return self._sort_value(order_field, position[0]), position[1]
        except (CursorError, ValueError, KeyError, TypeError, OverflowError) as exc:
            raise InvalidParameter("cursor", str(exc) or "malformed cursor") from None

    def _sort_value(self, order_field: str, stored: Any) -> Any:
        """The position's sort key, of the order field's type and within its column's range.

        Datetimes travel in cursors as ISO strings, other sort keys as they are.
        """
        field = self.res.field(order_field)
        if stored is None and field.nullable:
            return None
        if field.type is FieldType.DATETIME:
            parsed = datetime.fromisoformat(stored) if isinstance(stored, str) else None
            if parsed is None or parsed.tzinfo is None:
                raise CursorError("malformed cursor")
            return parsed.astimezone(UTC)
        if not _fits(self.table.c[sort_column_name(self.res, order_field)], stored):
            raise CursorError("malformed cursor")
        return stored

    def encode_cursor(self, principal: Principal, order: str, position: tuple[Any, str]) -> str:
        value, record_id = position
        stored = value.isoformat() if isinstance(value, datetime) else value
        scope = CursorScope(principal.tenant_id, principal.app_id, order)
        return self.codec.encode(scope, [stored, record_id])

    def _filter(self, params: QueryParams, name: str, field: Field) -> list[Filter]:
        occurrences = params.getlist(name)
        if not occurrences:
            return []
        if field.type is FieldType.TAGS:
            return [ContainsAny(field.name, tuple(split_values(name, v))) for v in occurrences]
        if len(occurrences) > 1:
            raise InvalidParameter(name, "given more than once; use comma-separated values")
        values = split_values(name, occurrences[0])
        include_null = "null" in values
        wanted = tuple(self._filter_value(name, field, v) for v in values if v != "null")
        return [AnyOf(field.name, wanted, include_null)]

    def _filter_value(self, name: str, field: Field, value: str) -> Any:
        if self.res.number and field.name == self.res.number.field:
            seq = self.res.number.parse(value)
            if seq is None:
                raise InvalidParameter(name, f"'{value}' is not a number like TKT-0042")
            return seq
        if field.type is FieldType.BOOLEAN:
            if value not in ("true", "false"):
                raise InvalidParameter(name, "must be true or false")
            return value == "true"
        if field.enum and value not in field.enum:
            raise InvalidParameter(name, f"'{value}' is not one of {', '.join(field.enum)}")
        return value
