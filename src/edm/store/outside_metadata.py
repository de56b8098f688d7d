"""The schema objects that migrations create in SQL the metadata cannot express.

Alembic's autogenerate (and the tests comparing a migrated database with
the metadata) must leave them alone:

- the search tables and FTS5's shadow tables (migration 0002,
  `edm.store.search`);
- PostgreSQL's stored `record_json` columns, written by triggers
  (migration 0003, `edm.store.record_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edm.manifest import RESOURCES
from edm.store.record_json import STORED_COLUMN
from edm.store.search import search_table_name

_SEARCH_TABLES = tuple(search_table_name(res) for res in RESOURCES if res.searchable_fields)


def include_in_autogenerate(name: str | None, type_: str, _parents: Mapping[Any, Any]) -> bool:
    """Alembic's `include_name`: false for the objects above."""
    if name is None:
        return True
    if type_ == "column":
        return name != STORED_COLUMN
    if type_ == "table":
        return not any(name == t or name.startswith(f"{t}_") for t in _SEARCH_TABLES)
    return True
