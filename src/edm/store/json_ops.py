"""`JSON array holds any of some values`, compiled for each database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean


class ArrayHoldsAny(ColumnElement[bool]):
    """True when the JSON array in `column` has an element among `values`,
    a JSON array of strings bound as one parameter: a statement serves any
    number of values."""

    inherit_cache = True
    type = Boolean()
    # SQLAlchemy's traversal reads this class attribute (declared as a list there).
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnClause[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


@compiles(ArrayHoldsAny, "postgresql")
def _pg_holds_any(element: ArrayHoldsAny, compiler: Any, **kw: Any) -> str:
    values = compiler.process(element.values, **kw)
    wanted = f"ARRAY(SELECT jsonb_array_elements_text(CAST({values} AS jsonb)))"
    return f"({compiler.process(element.column, **kw)} ?| {wanted})"


@compiles(ArrayHoldsAny, "sqlite")
def _sqlite_holds_any(element: ArrayHoldsAny, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    values = compiler.process(element.values, **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_each({column}) AS held"
        f" JOIN json_each({values}) AS wanted ON held.value = wanted.value)"
    )
