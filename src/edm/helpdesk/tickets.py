"""Ticket rules: submitter default, the status lifecycle and SLA.

Lifecycle (SPEC section 5):
- `resolved_at` is stamped when the status becomes `resolved`, or `closed`
  while it is unset; it is cleared when the ticket goes back to an active
  status (`open`, `in_progress`, `pending`).
- `close` moves any non-deleted ticket to `closed`; on a closed one it
  changes nothing. `reopen` moves `resolved` or `closed` back to `open`.
- A closed ticket accepts no update; it must be reopened first (409).
SLA rules are in `edm.helpdesk.sla`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, not_, or_

from edm.errors import Conflict, FieldError, ValidationFailed
from edm.helpdesk import sla
from edm.identity import Principal
from edm.manifest import resource
from edm.service import Changes, Record, ResourceService
from edm.store.database import Database
from edm.store.schema import TABLES
from edm.store.writes import Writes

TICKETS = resource("tickets")
ACTIVE = frozenset({"open", "in_progress", "pending"})
DONE = frozenset({"resolved", "closed"})
_tickets = TABLES[TICKETS.name]
_MICROSECOND = timedelta(microseconds=1)
_NOW = "now"


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

    def computed_filter(self, name: str, value: bool) -> ColumnElement[bool]:
        assert name == "overdue", name
        overdue = and_(
            _tickets.c.due_at.is_not(None),
            _tickets.c.due_at < bindparam(_NOW, type_=_tickets.c.due_at.type),
            _tickets.c.status.not_in(DONE),
        )
        return overdue if value else or_(_tickets.c.due_at.is_(None), not_(overdue))

    def computed_parameters(self) -> dict[str, Any]:
        return {_NOW: self.clock()}

    def _prepare_create(
        self, writes: Writes, principal: Principal, values: Changes, parent: Record | None
    ) -> Changes:
        created_at = values["created_at"]
        named = values.get("sla_policy")
        policy = (
            sla.require_policy(writes, principal.tenant_id, named)
            if named is not None
            else sla.default_policy(writes, principal.tenant_id)
        )
        values |= {
            "submitted_by_id": values.get("submitted_by_id") or principal.subject,
            "sla_policy": policy.id if policy is not None else None,
            "pending_since": created_at if values["status"] == "pending" else None,
            "sla_paused_us": 0,
            "due_at": sla.resolution_due(policy, values["priority"], created_at, timedelta()),
            **status_stamps(None, values["status"], None, created_at),
        }
        return values

    def _prepare_import(self, values: Changes, preserved: Changes) -> Changes:
        """An imported ticket's `resolved_at` (only when resolved or closed;
        `updated_at` if not given) and `first_response_at`, both between
        `created_at` and `updated_at`; a pending one has been pending since
        `updated_at`."""
        created_at, updated_at = values["created_at"], values["updated_at"]
        resolved_at = preserved.get("resolved_at")
        errors = []
        if values["status"] in DONE:
            values["resolved_at"] = resolved_at = resolved_at or updated_at
        elif resolved_at is not None:
            errors.append(
                FieldError(
                    "resolved_at",
                    "inconsistent_with_status",
                    f"a {values['status']} ticket has no resolved_at",
                )
            )
        if values["status"] == "pending":
            values["pending_since"] = updated_at
        first_response_at = preserved.get("first_response_at")
        values["first_response_at"] = first_response_at
        for name, stamp in (("resolved_at", resolved_at), ("first_response_at", first_response_at)):
            if stamp is not None and not created_at <= stamp <= updated_at:
                errors.append(
                    FieldError(name, "out_of_range", "must lie between created_at and updated_at")
                )
        if errors:
            raise ValidationFailed(errors)
        return values

    def _prepare_update(
        self,
        writes: Writes,
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
        return self._with_derived(writes, current, changes, now)

    def _with_derived(
        self, writes: Writes, current: Record, changes: Changes, now: datetime
    ) -> Changes:
        """Add the lifecycle stamps and SLA bookkeeping implied by `changes`."""
        status = changes.get("status", current.status)
        changes |= status_stamps(current.status, status, current.resolved_at, now)
        leaves_pending = current.status == "pending" and status != "pending"
        if status == "pending" and current.status != "pending":
            changes["pending_since"] = now
        policy_changes = changes.get("sla_policy", current.sla_policy) != current.sla_policy
        priority_changes = changes.get("priority", current.priority) != current.priority
        if not (leaves_pending or policy_changes or priority_changes):
            return changes
        # The clock paused under the policy in force while pending (even if since deleted).
        policy = sla.find_policy(writes, current.tenant_id, current.sla_policy, deleted_ok=True)
        paused = timedelta(microseconds=current.sla_paused_us)
        if leaves_pending:
            paused += sla.pause_between(policy, current.pending_since, now)
            changes |= {"pending_since": None, "sla_paused_us": paused // _MICROSECOND}
        if policy_changes:
            new_id = changes["sla_policy"]
            policy = sla.require_policy(writes, current.tenant_id, new_id) if new_id else None
        priority = changes.get("priority", current.priority)
        changes["due_at"] = sla.resolution_due(policy, priority, current.created_at, paused)
        return changes

    def _close(
        self, writes: Writes, _principal: Principal, current: Record, now: datetime
    ) -> Changes | None:
        if current.status == "closed":
            return None
        return self._with_derived(writes, current, {"status": "closed"}, now)

    def _reopen(
        self, writes: Writes, _principal: Principal, current: Record, now: datetime
    ) -> Changes:
        if current.status not in DONE:
            raise Conflict(
                f"Ticket {current.number} is {current.status}; only resolved or closed "
                "tickets can be reopened",
                code="invalid_transition",
            )
        return self._with_derived(writes, current, {"status": "open"}, now)
