"""SLA clocks: which policy governs a ticket and when it is due.

Rules (README, "SLA policies"):
- A new ticket's policy is the one it names or, if it names none, the
  tenant's default policy; a named policy that does not exist in the tenant
  (or is deleted) is a 422 on `sla_policy`.
- `due_at` = `created_at` + the policy's resolution target for the ticket's
  priority + the pause accumulated so far, counted in the policy's business
  hours; null without a policy or without a target for the priority.
- A policy's business hours must spend each of its targets within a year
  of the write that stores them (`check_spendable`); `add_business_time`
  gives up past its horizon, so a policy stored before that rule gets a
  null `due_at` quickly rather than a long computation.
- Time in `pending` pauses the clock: on leaving `pending` the business time
  spent there (in the hours of the policy then in force) is added to the
  ticket's accumulated pause, which is kept as a duration and so survives
  later priority or policy changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select

from edm.errors import FieldError, ValidationFailed
from edm.helpdesk.business_time import BusinessHours, add_business_time, business_time_between
from edm.manifest import resource
from edm.manifest.shapes import SPEND_WITHIN
from edm.store.reads import ReadRow
from edm.store.schema import TABLES
from edm.store.writes import Writes

SLA_POLICIES = resource("sla_policies")
_policies = TABLES[SLA_POLICIES.name]

Policy = ReadRow


# Built once, run with parameters: a create looks up its policy every time.
_BY_ID = select(_policies).where(
    _policies.c.tenant_id == bindparam("tenant_id"), _policies.c.id == bindparam("policy_id")
)
_LIVE_BY_ID = _BY_ID.where(_policies.c.is_deleted.is_(False))
_LIVE_DEFAULT = select(_policies).where(
    _policies.c.tenant_id == bindparam("tenant_id"),
    _policies.c.is_default.is_(True),
    _policies.c.is_deleted.is_(False),
)


def find_policy(
    writes: Writes, tenant_id: str, policy_id: str | None, *, deleted_ok: bool = False
) -> Policy | None:
    """The tenant's policy `policy_id` (None for no policy).

    Only live policies unless `deleted_ok`: a ticket keeps counting under the
    policy it was given even if an admin deletes that policy later.
    """
    if policy_id is None:
        return None
    stmt = _BY_ID if deleted_ok else _LIVE_BY_ID
    return writes.first(stmt, {"tenant_id": tenant_id, "policy_id": policy_id})


def default_policy(writes: Writes, tenant_id: str) -> Policy | None:
    return writes.first(_LIVE_DEFAULT, {"tenant_id": tenant_id})


def require_policy(writes: Writes, tenant_id: str, policy_id: str) -> Policy:
    policy = find_policy(writes, tenant_id, policy_id)
    if policy is None:
        raise ValidationFailed(
            [FieldError("sla_policy", "unknown_reference", f"No SLA policy {policy_id}")]
        )
    return policy


def business_hours(policy: Policy | None) -> BusinessHours | None:
    if policy is None or policy.business_hours is None:
        return None
    return BusinessHours.from_json(policy.business_hours)


def resolution_due(
    policy: Policy | None, priority: str, created_at: datetime, paused: timedelta
) -> datetime | None:
    """When a ticket of `priority` created at `created_at` must be resolved."""
    if policy is None:
        return None
    target = (policy.targets or {}).get(priority)
    if target is None:
        return None
    budget = timedelta(minutes=target["resolution_minutes"]) + paused
    try:
        return add_business_time(created_at, budget, business_hours(policy))
    except OverflowError:  # not spent within the horizon (or the calendar): no due date
        return None


def pause_between(policy: Policy | None, start: datetime, end: datetime) -> timedelta:
    """Business time between `start` and `end` (24x7 without a policy)."""
    return business_time_between(start, end, business_hours(policy))


def check_spendable(
    targets: Mapping[str, Mapping[str, int]],
    hours_json: Mapping[str, Any] | None,
    now: datetime,
    *,
    blame_hours: bool,
) -> None:
    """422 unless the hours hold every target within `SPEND_WITHIN` of `now`.

    The errors name each target too long for the hours, or `business_hours`
    when the hours hold no time at all in that span or when `blame_hours`
    (the write changed the hours and kept the targets).
    """
    hours = None if hours_json is None else BusinessHours.from_json(hours_json)
    held = business_time_between(now, now + SPEND_WITHIN, hours)
    too_long = [
        (f"targets.{priority}.{name}", minutes)
        for priority, target in targets.items()
        for name, minutes in target.items()
        if timedelta(minutes=minutes) > held
    ]
    if not too_long:
        return
    held_minutes = held // timedelta(minutes=1)
    span = f"the {SPEND_WITHIN.days} days from now"
    if held_minutes == 0 or blame_hours:
        longest = max(minutes for _, minutes in too_long)
        message = (
            f"These hours hold {held_minutes} business minutes in {span}, "
            f"fewer than a target of {longest}"
        )
        raise ValidationFailed([FieldError("business_hours", "targets_unreachable", message)])
    raise ValidationFailed(
        [
            FieldError(
                field,
                "target_unreachable",
                f"{minutes} business minutes do not fit in {span}: the business hours "
                f"hold {held_minutes}",
            )
            for field, minutes in too_long
        ]
    )
