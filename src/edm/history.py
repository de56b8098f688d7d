"""Append-only history: one event per write of a resource with `history=True`.

A write hands its event to the store with the record
(`RecordStore.insert`/`update`), which writes both in one statement on
PostgreSQL and in one transaction on SQLite, so a change and its event
commit or roll back together; nothing ever updates or deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from edm.identity import Principal
from edm.manifest import Resource, resource
from edm.stamps import creation_stamps
from edm.store.records import RecordStore
from edm.store.writes import Writes
from edm.timestamps import json_value

EVENTS = resource("events")
# Bookkeeping that every write touches; the event's own stamps already say it.
_NOT_TRACKED = frozenset(
    {
        "id",
        "tenant_id",
        "app_id",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "schema_version",
    }
)


def field_changes(
    res: Resource, before: Mapping[Any, Any] | None, after: Mapping[Any, Any]
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every tracked field whose value differs
    (a field missing from `after` is null)."""
    changes: dict[str, list[Any]] = {}
    for field in res.fields:
        if field.name in _NOT_TRACKED:
            continue
        old = before[field.name] if before is not None else None
        new = after.get(field.name)
        if old != new and not (before is None and new in (None, [], {}, False)):
            changes[field.name] = [json_value(old), json_value(new)]
    return changes


class History:
    def __init__(self) -> None:
        self.store = RecordStore(EVENTS)

    @staticmethod
    def event(
        principal: Principal,
        ticket_id: str,
        action: str,
        changes: dict[str, list[Any]],
        at: datetime,
    ) -> dict[str, Any]:
        """The values of a new event, for the store to write with its record."""
        return {
            **creation_stamps(EVENTS, principal, at),
            "source": "edm",
            "source_type": "system",
            "ticket_id": ticket_id,
            "actor": principal.subject,
            "action": action,
            "changes": changes,
            "at": at,
        }

    def append(
        self,
        writes: Writes,
        principal: Principal,
        ticket_id: str,
        action: str,
        changes: dict[str, list[Any]],
        at: datetime,
    ) -> None:
        """Insert an event on its own (one that no record write carries)."""
        self.store.insert(writes, self.event(principal, ticket_id, action, changes, at))
