"""Records encoded as JSON by the database, from the manifest's field list.

Every query that answers a client selects `record_json(...)`: the
resource's fields in manifest order, with RFC 3339 UTC timestamps
(microseconds, `Z`), JSON booleans and embedded JSON for tags and objects.
A page of records then crosses Python as strings spliced into the
response, instead of every value of every row passing through type
conversion and an encoder: that conversion was most of the CPU a list page
cost (docs/performance.md).

- SQLite builds it per read with `json_object`.
- PostgreSQL keeps it: a `record_json` column that a trigger writes with
  every insert and update (migration 0003), because building it per read
  with `json_build_object` was most of the database's CPU for a list page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Dialect, String, Table, Text, case, cast, func, literal_column
from sqlalchemy.sql.elements import Label

from edm.manifest import Field, FieldType, Resource
from edm.store.schema import TABLES

LABEL = "record_json"
# The stored column on PostgreSQL, kept outside the metadata (`edm.store.outside_metadata`).
STORED_COLUMN = "record_json"
# SQLite's json_object takes at most 127 arguments by default; 50 fields fit.
MAX_FIELDS = 50


def _constant(text: str) -> ColumnElement[Any]:
    """A string written into the statement rather than bound on every execution.

    Only constants of this module and the manifest's field names come here.
    """
    return literal_column("'" + text.replace("'", "''") + "'", String)


def _sqlite_value(field: Field, column: ColumnElement[Any]) -> ColumnElement[Any]:
    match field.type:
        case FieldType.DATETIME:
            # Stored as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC; NULL stays NULL.
            return func.replace(cast(column, Text), _constant(" "), _constant("T")).concat(
                _constant("Z")
            )
        case FieldType.BOOLEAN:
            return func.json(
                case(
                    (column.is_(True), _constant("true")),
                    (column.is_(False), _constant("false")),
                )
            )
        case FieldType.TAGS | FieldType.OBJECT:
            return func.json(cast(column, Text))
    return column


def _sqlite_expression(res: Resource) -> ColumnElement[str]:
    if len(res.fields) > MAX_FIELDS:
        raise ValueError(f"{res.name} has more than {MAX_FIELDS} fields")
    table: Table = TABLES[res.name]
    pairs: list[ColumnElement[Any]] = []
    for field in res.fields:
        pairs += [_constant(field.name), _sqlite_value(field, table.c[field.name])]
    return func.json_object(*pairs, type_=Text)


@cache
def record_json(res: Resource, dialect: Dialect) -> Label[str]:
    """The JSON text of a row of `res` as clients see it, labelled `record_json`.

    On SQLite compiled once into SQL text (it has no parameters):
    SQLAlchemy would otherwise walk the whole expression to key its
    statement cache on every list query, which cost as much as the
    database building the JSON.
    """
    if dialect.name == "postgresql":
        sql = f"{TABLES[res.name].name}.{STORED_COLUMN}"
    else:
        sql = str(_sqlite_expression(res).compile(dialect=dialect))
    return literal_column(sql, Text).label(LABEL)
