"""Every statement the server runs is cut off past a deadline.

PostgreSQL enforces `statement_timeout`, set on each of the server's
connections when it opens. SQLite has no timeout of its own: its
progress handler, called every `_PROGRESS_STEPS` virtual-machine steps,
interrupts a statement running for longer than the timeout, measured from
the statement's start as the connection's trace callback reports it. A
cut statement fails alone (SQLite: `SQLITE_INTERRUPT`; PostgreSQL:
`query_canceled`) and its connection stays usable.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

_PROGRESS_STEPS = 1000  # a long scan runs few steps per row: checked often enough
_QUERY_CANCELED = "57014"


class _SQLiteDeadline:
    """When the running statement of one SQLite connection began."""

    __slots__ = ("_seconds", "_started")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._started = time.monotonic()

    def started(self, sql: str) -> None:
        # A trigger's program reports itself as a comment: it is part of its statement.
        if not sql.startswith("--"):
            self._started = time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() - self._started > self._seconds


def limit_sqlite_statements(connection: sqlite3.Connection, timeout_ms: int) -> None:
    """Interrupt any statement of `connection` running longer than `timeout_ms`."""
    deadline = _SQLiteDeadline(timeout_ms / 1000)
    connection.set_trace_callback(deadline.started)
    connection.set_progress_handler(deadline.expired, _PROGRESS_STEPS)


def postgresql_settings(timeout_ms: int) -> dict[str, str]:
    """The session settings that bound each statement of a PostgreSQL connection."""
    return {"statement_timeout": str(timeout_ms)}


def timed_out(driver_error: Any) -> bool:
    """Whether the driver's error says a statement ran past its timeout."""
    if isinstance(driver_error, sqlite3.OperationalError):
        return getattr(driver_error, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT
    return getattr(driver_error, "sqlstate", None) == _QUERY_CANCELED
