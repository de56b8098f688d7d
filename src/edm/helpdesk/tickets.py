"""Ticket rules: numbering, submitter default and the status lifecycle.

Lifecycle (SPEC section 5):
- `resolved_at` is stamped when the status becomes `resolved`, or `closed`
  while it is unset; it is cleared when the ticket goes back to an active
  status (`open`, `in_progress`, `pending`).
- `close` moves any non-deleted ticket to `closed`; on a closed one it
  changes nothing. `reopen` moves `resolved` or `closed` back to `open`.
- A closed ticket accepts no update; it must be reopened first (409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from edm.errors import Conflict
from edm.identity import Principal
from edm.manifest import resource
from edm.service import Changes, Record, ResourceService
from edm.store.counters import next_value
from edm.store.database import Database

TICKETS = resource("tickets")
ACTIVE = frozenset({"open", "in_progress", "pending"})
DONE = frozenset({"resolved", "closed"})


def status_stamps(
    old_status: str | None, new_status: str, resolved_at: datetime | None, now: datetime
) -> Changes:
    """The `resolved_at` change implied by moving from `old_status` to `new_status`."""
    if new_status == old_status:
        return {}
    if new_status == "resolved" or (new_status == "closed" and resolved_at is None):
        return {"resolved_at": now}
    if new_status in ACTIVE and resolved_at is not None:
        return {"resolved_at": None}
    return {}


class TicketService(ResourceService):
    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(TICKETS, db, **kwargs)
        self.actions = {"close": self._close, "reopen": self._reopen}

    def _prepare_create(
        self, conn: Connection, principal: Principal, values: Changes
    ) -> tuple[Changes, int | None]:
        assert TICKETS.number is not None
        seq = next_value(conn, principal.tenant_id, TICKETS.name)
        values["number"] = TICKETS.number.format(seq)
        if values.get("submitted_by_id") is None:
            values["submitted_by_id"] = principal.subject
        values |= status_stamps(None, values["status"], None, values["created_at"])
        return values, seq

    def _prepare_update(
        self,
        conn: Connection,
        principal: Principal,
        current: Record,
        now: datetime,
        changes: Changes,
    ) -> Changes:
        if current.status == "closed":
            raise Conflict(
                f"Ticket {current.number} is closed; reopen it before changing it",
                code="ticket_closed",
            )
        if "status" in changes:
            changes |= status_stamps(current.status, changes["status"], current.resolved_at, now)
        return changes

    def _close(
        self, _conn: Connection, _principal: Principal, current: Record, now: datetime
    ) -> Changes | None:
        if current.status == "closed":
            return None
        return {
            "status": "closed",
            **status_stamps(current.status, "closed", current.resolved_at, now),
        }

    def _reopen(
        self, _conn: Connection, _principal: Principal, current: Record, now: datetime
    ) -> Changes:
        if current.status not in DONE:
            raise Conflict(
                f"Ticket {current.number} is {current.status}; only resolved or closed "
                "tickets can be reopened",
                code="invalid_transition",
            )
        return {"status": "open", **status_stamps(current.status, "open", current.resolved_at, now)}
