"""due_at from SLA policies, business hours, pauses and recomputation (SPEC 5-6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

POLICIES = "/api/v1/helpdesk/sla_policies"
TICKETS = "/api/v1/helpdesk/tickets"
OFFICE = {
    "timezone": "Europe/London",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "09:00",
    "end": "17:00",
    "holidays": ["2026-12-25"],
}


def targets(**minutes: int) -> dict:
    return {p: {"first_response_minutes": 5, "resolution_minutes": m} for p, m in minutes.items()}


def policy(admin, hours=None, is_default=False, **minutes):
    body = {
        "name": "P",
        "targets": targets(**minutes),
        "business_hours": hours,
        "is_default": is_default,
    }
    response = admin.post(POLICIES, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def ticket(caller, **fields):
    response = caller.post(TICKETS, json={"title": "Down", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def reference_due(created: datetime, minutes: int, hours: dict | None) -> datetime:
    """Minute-by-minute: the end of the `minutes`-th business minute after `created`."""
    if hours is None:
        return created + timedelta(minutes=minutes)
    zone = ZoneInfo(hours["timezone"])
    holidays = set(hours["holidays"])
    t, counted = created, 0
    while counted < minutes:
        local = t.astimezone(zone)
        if (
            local.isoweekday() in hours["weekdays"]
            and local.date().isoformat() not in holidays
            and hours["start"] <= local.strftime("%H:%M") < hours["end"]
        ):
            counted += 1
        t += timedelta(minutes=1)
    return t


def test_24x7_due_at_is_created_plus_target(admin, clock):
    sla = policy(admin, high=90)
    created = ticket(admin, priority="high", sla_policy=sla)
    assert at(created["due_at"]) == clock.now + timedelta(minutes=90)


@pytest.mark.parametrize("minutes", [30, 120, 240, 480, 600, 720, 3000])
def test_business_hours_due_at_matches_minute_by_minute_reference(admin, clock, minutes):
    sla = policy(admin, hours=OFFICE, urgent=minutes)
    created = ticket(admin, priority="urgent", sla_policy=sla)
    assert at(created["due_at"]) == reference_due(clock.now, minutes, OFFICE)


def test_holiday_and_weekend_are_skipped(admin, clock):
    clock.now = datetime.fromisoformat("2026-12-24T16:00:00+00:00")  # Thu, before Christmas
    sla = policy(admin, hours=OFFICE, high=120)
    created = ticket(admin, priority="high", sla_policy=sla)
    assert created["due_at"] == "2026-12-28T10:00:00.000000Z"  # Mon 10:00 London


def test_default_policy_applies_when_none_is_named(admin, clock):
    default = policy(admin, is_default=True, medium=60)
    created = ticket(admin)
    assert created["sla_policy"] == default
    assert at(created["due_at"]) == clock.now + timedelta(minutes=60)


def test_no_policy_or_no_target_means_no_due_date(admin, clock):
    assert ticket(admin)["due_at"] is None
    sla = policy(admin, urgent=10)
    assert ticket(admin, sla_policy=sla, priority="low")["due_at"] is None


@pytest.mark.parametrize("reference", ["deleted", "foreign", "missing"])
def test_unknown_policy_is_422(admin, caller, clock, reference):
    if reference == "foreign":
        stranger = caller("admin", tenant_id="foreign-" + admin.token[-10:])
        sla = policy(stranger, high=5)
    elif reference == "deleted":
        sla = policy(admin, high=5)
        admin.delete(f"{POLICIES}/{sla}")
    else:
        sla = "sla_01JD0000000000000000000000"
    response = admin.post(TICKETS, json={"title": "x", "sla_policy": sla})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sla_policy"
    existing = ticket(admin)
    changed = admin.patch(f"{TICKETS}/{existing['id']}", json={"sla_policy": sla})
    assert changed.status_code == 422


def test_due_at_recomputed_from_created_at_on_priority_change(admin, clock):
    sla = policy(admin, low=600, urgent=60)
    created = ticket(admin, priority="low", sla_policy=sla)
    clock.advance(minutes=30)
    updated = admin.patch(f"{TICKETS}/{created['id']}", json={"priority": "urgent"}).json()
    assert at(updated["due_at"]) == at(created["created_at"]) + timedelta(minutes=60)


def test_due_at_recomputed_on_policy_change_and_cleared_without_policy(admin, clock):
    fast, slow = policy(admin, medium=10), policy(admin, hours=OFFICE, medium=600)
    created = ticket(admin, sla_policy=fast)
    path = f"{TICKETS}/{created['id']}"
    moved = admin.patch(path, json={"sla_policy": slow}).json()
    assert at(moved["due_at"]) == reference_due(at(created["created_at"]), 600, OFFICE)
    assert admin.patch(path, json={"sla_policy": None}).json()["due_at"] is None


def test_pending_pauses_the_clock_exactly(admin, clock):
    sla = policy(admin, high=60)
    created = ticket(admin, priority="high", sla_policy=sla)
    path = f"{TICKETS}/{created['id']}"
    clock.advance(minutes=10)
    admin.patch(path, json={"status": "pending"})
    clock.advance(minutes=7, seconds=3.5)
    resumed = admin.patch(path, json={"status": "in_progress"}).json()
    pause = timedelta(minutes=7, seconds=3.5)
    assert at(resumed["due_at"]) == at(created["due_at"]) + pause
    clock.advance(minutes=1)
    admin.patch(path, json={"status": "pending"})
    clock.advance(seconds=2)
    resolved = admin.patch(path, json={"status": "resolved"}).json()
    assert at(resolved["due_at"]) == at(created["due_at"]) + pause + timedelta(seconds=2)


def test_pause_outside_business_hours_does_not_move_due_at(admin, clock):
    sla = policy(admin, hours=OFFICE, high=600)
    created = ticket(admin, priority="high", sla_policy=sla)
    path = f"{TICKETS}/{created['id']}"
    clock.now = datetime.fromisoformat("2026-12-23T16:30:00+00:00")
    admin.patch(path, json={"status": "pending"})
    clock.now = datetime.fromisoformat("2026-12-24T08:00:00+00:00")
    resumed = admin.patch(path, json={"status": "open"}).json()
    # Only the 30 business minutes of Wednesday 16:30-17:00 were paused.
    assert at(resumed["due_at"]) == reference_due(at(created["created_at"]), 630, OFFICE)


def test_accumulated_pause_survives_a_policy_change(admin, clock):
    first, second = policy(admin, high=60), policy(admin, high=240)
    created = ticket(admin, priority="high", sla_policy=first)
    path = f"{TICKETS}/{created['id']}"
    admin.patch(path, json={"status": "pending"})
    clock.advance(minutes=5)
    admin.patch(path, json={"status": "open"})
    moved = admin.patch(path, json={"sla_policy": second}).json()
    assert at(moved["due_at"]) == at(created["created_at"]) + timedelta(minutes=245)


def test_ticket_created_pending_starts_paused(admin, clock):
    sla = policy(admin, high=60)
    created = ticket(admin, priority="high", sla_policy=sla, status="pending")
    clock.advance(minutes=15)
    resumed = admin.patch(f"{TICKETS}/{created['id']}", json={"status": "open"}).json()
    assert at(resumed["due_at"]) == at(created["created_at"]) + timedelta(minutes=75)


def test_overdue_and_due_before_filters(admin, clock):
    sla = policy(admin, high=60, low=600)
    soon = ticket(admin, priority="high", sla_policy=sla)
    later = ticket(admin, priority="low", sla_policy=sla)
    done = ticket(admin, priority="high", sla_policy=sla)
    unpoliced = ticket(admin)
    admin.patch(f"{TICKETS}/{done['id']}", json={"status": "resolved"})

    def ids(**params):
        return {t["id"] for t in admin.get(TICKETS, params=params).json()["data"]}

    clock.advance(minutes=61)
    assert ids(overdue="true") == {soon["id"]}
    assert ids(overdue="false") == {later["id"], done["id"], unpoliced["id"]}
    assert ids(due_before=later["due_at"]) == {soon["id"], done["id"]}


def test_due_at_sort_puts_tickets_without_due_date_last(admin, clock):
    sla = policy(admin, high=60, low=600)
    without = ticket(admin)
    low = ticket(admin, priority="low", sla_policy=sla)
    high = ticket(admin, priority="high", sla_policy=sla)
    ordered = admin.get(TICKETS, params={"order": "due_at"}).json()["data"]
    assert [t["id"] for t in ordered] == [high["id"], low["id"], without["id"]]
    reverse = admin.get(TICKETS, params={"order": "-due_at"}).json()["data"]
    assert [t["id"] for t in reverse] == [low["id"], high["id"], without["id"]]


def test_readme_worked_example(admin, clock):
    clock.now = datetime.fromisoformat("2026-12-24T16:00:00+00:00")
    sla = policy(admin, hours=OFFICE, high=240)
    assert ticket(admin, priority="high", sla_policy=sla)["due_at"] == (
        "2026-12-28T12:00:00.000000Z"
    )


def test_a_long_pending_pause_can_end(admin, clock):
    """The paused microseconds of hours-long pauses overflowed a 32-bit column."""
    sla = admin.post(
        POLICIES,
        json={
            "name": "P",
            "targets": {"medium": {"first_response_minutes": 5, "resolution_minutes": 60}},
        },
    ).json()["id"]
    ticket = admin.post(TICKETS, json={"title": "x", "sla_policy": sla}).json()
    admin.patch(f"{TICKETS}/{ticket['id']}", json={"status": "pending"})
    clock.advance(hours=3)
    resumed = admin.patch(f"{TICKETS}/{ticket['id']}", json={"status": "open"})
    assert resumed.status_code == 200
    assert resumed.json()["due_at"] > ticket["due_at"]
