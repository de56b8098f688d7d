"""`JSON array contains a value`, compiled for each database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean


class ArrayContains(ColumnElement[bool]):
    """True when the JSON array in `column` has `value` as an element."""

    inherit_cache = True
    type = Boolean()
    # SQLAlchemy's traversal reads this class attribute (declared as a list there).
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnClause[Any], value: BindParameter[Any]) -> None:
        self.column = column
        self.value = value


@compiles(ArrayContains, "postgresql")
def _pg_contains(element: ArrayContains, compiler: Any, **kw: Any) -> str:
    # jsonb containment: served by a GIN index on the column.
    value = compiler.process(element.value, **kw)
    return f"({compiler.process(element.column, **kw)} @> jsonb_build_array({value}::text))"


@compiles(ArrayContains, "sqlite")
def _sqlite_contains(element: ArrayContains, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(element.value, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"
