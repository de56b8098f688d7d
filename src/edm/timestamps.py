"""The one clock and the one timestamp format (RFC 3339 UTC, microseconds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_datetime(value: datetime) -> str:
    """`2026-11-26T04:13:09.123456Z`."""
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A stored value as it appears in JSON (datetimes formatted, others as they are)."""
    return format_datetime(value) if isinstance(value, datetime) else value
