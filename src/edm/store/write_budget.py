"""What a PostgreSQL write outside a transaction may write: its record's statement.

`Database.writes(transaction=False)` commits each statement by itself, so
such a write must be one writing statement, its record's
(`RecordStore`'s, which carries the history event): anything more would
commit apart from it. The write carries a `WriteBudget` (on a SQLAlchemy
connection, in its execution options); every writing statement spends
it, and a second one, or one that is not the record's, fails before
reaching the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ONE_WRITE = "edm_one_write"  # execution option: the WriteBudget of a write outside a transaction


class WriteBudget:
    """What a write outside a transaction has left: its one record write."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = False

    def spend(self, *, record_write: bool) -> None:
        """Account for a writing statement; `record_write`: the record's."""
        if self.spent or not record_write:
            raise RuntimeError(
                "this write outside a transaction writes more than its record; "
                "open it with Database.writes(transaction=True)"
            )
        self.spent = True


def spend(options: Mapping[str, Any], *, record_write: bool) -> None:
    """Account for a writing statement run with the execution `options`."""
    budget: WriteBudget | None = options.get(ONE_WRITE)
    if budget is not None:
        budget.spend(record_write=record_write)
