"""SLA policy CRUD, role checks, validation and the single default (SPEC 6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

POLICIES = "/api/v1/helpdesk/sla_policies"
HOURS = {
    "timezone": "Europe/London",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "09:00",
    "end": "17:00",
    "holidays": ["2026-12-25"],
}
TARGETS = {"high": {"first_response_minutes": 30, "resolution_minutes": 240}}


def create_policy(admin, **fields):
    response = admin.post(POLICIES, json={"name": "Standard", "targets": TARGETS, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_admin_creates_and_reads_a_policy(admin):
    policy = create_policy(admin, business_hours=HOURS, description="Office hours")
    assert policy["id"].startswith("sla_")
    assert policy["targets"] == TARGETS
    assert policy["business_hours"] == HOURS
    assert policy["is_default"] is False
    fetched = admin.get(f"{POLICIES}/{policy['id']}").json()
    assert fetched == policy


def test_agents_read_but_do_not_write(admin, agent):
    policy = create_policy(admin)
    assert agent.get(f"{POLICIES}/{policy['id']}").status_code == 200
    assert [p["id"] for p in agent.get(POLICIES).json()["data"]] == [policy["id"]]
    assert agent.post(POLICIES, json={"name": "Mine"}).status_code == 403
    assert agent.patch(f"{POLICIES}/{policy['id']}", json={"name": "x"}).status_code == 403
    assert agent.delete(f"{POLICIES}/{policy['id']}").status_code == 403
    assert admin.get(f"{POLICIES}/{policy['id']}").json()["name"] == "Standard"


def test_requesters_cannot_see_policies(admin, caller):
    policy = create_policy(admin)
    requester = caller("requester")
    assert requester.get(POLICIES).status_code == 403
    assert requester.get(f"{POLICIES}/{policy['id']}").status_code == 403


def test_update_and_delete(admin):
    policy = create_policy(admin)
    path = f"{POLICIES}/{policy['id']}"
    updated = admin.patch(path, json={"business_hours": HOURS, "name": "Office"}).json()
    assert (updated["name"], updated["business_hours"]) == ("Office", HOURS)
    assert admin.patch(path, json={"business_hours": None}).json()["business_hours"] is None
    assert admin.delete(path).json()["is_deleted"] is True
    assert admin.get(path).status_code == 404


def test_setting_a_default_clears_the_others(admin):
    first = create_policy(admin, name="First", is_default=True)
    second = create_policy(admin, name="Second", is_default=True)
    assert admin.get(f"{POLICIES}/{first['id']}").json()["is_default"] is False
    admin.patch(f"{POLICIES}/{first['id']}", json={"is_default": True})
    defaults = admin.get(POLICIES, params={"is_default": "true"}).json()["data"]
    assert [p["id"] for p in defaults] == [first["id"]]
    assert admin.get(f"{POLICIES}/{second['id']}").json()["is_default"] is False


def test_defaults_are_per_tenant(admin, caller):
    create_policy(admin, is_default=True)
    other_admin = caller("admin", tenant_id="other-" + admin.token[-10:])
    other = create_policy(other_admin, is_default=True)
    assert other["is_default"] is True
    assert len(admin.get(POLICIES, params={"is_default": "true"}).json()["data"]) == 1


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": ""}, "name", "too_short"),
        (
            {"business_hours": {**HOURS, "timezone": "Mars/Olympus"}},
            "business_hours.timezone",
            "unknown_timezone",
        ),
        ({"business_hours": {**HOURS, "weekdays": []}}, "business_hours.weekdays", "too_few_items"),
        (
            {"business_hours": {**HOURS, "weekdays": [0, 8]}},
            "business_hours.weekdays[0]",
            "greater_than_equal",
        ),
        (
            {"business_hours": {**HOURS, "start": "17:00", "end": "09:00"}},
            "business_hours",
            "end_not_after_start",
        ),
        (
            {"business_hours": {**HOURS, "end": "09:00", "start": "09:00"}},
            "business_hours",
            "end_not_after_start",
        ),
        (
            {"business_hours": {**HOURS, "start": "9am"}},
            "business_hours.start",
            "string_pattern_mismatch",
        ),
        (
            {"business_hours": {**HOURS, "holidays": ["Christmas"]}},
            "business_hours.holidays[0]",
            "date_from_datetime_parsing",
        ),
        (
            {"targets": {"high": {"first_response_minutes": 0, "resolution_minutes": 60}}},
            "targets.high.first_response_minutes",
            "greater_than",
        ),
        (
            {"targets": {"high": {"first_response_minutes": 10, "resolution_minutes": -5}}},
            "targets.high.resolution_minutes",
            "greater_than",
        ),
        (
            {"targets": {"high": {"first_response_minutes": 10, "resolution_minutes": "60"}}},
            "targets.high.resolution_minutes",
            "invalid_type",
        ),
        (
            {"targets": {"critical": {"first_response_minutes": 1, "resolution_minutes": 2}}},
            "targets.critical",
            "invalid_choice",
        ),
        (
            {"targets": {"high": {"first_response_minutes": 1}}},
            "targets.high.resolution_minutes",
            "required",
        ),
    ],
)
def test_invalid_policies_are_422_naming_the_field(admin, fields, field, code):
    response = admin.post(POLICIES, json={"name": "Bad", **fields})
    assert response.status_code == 422
    errors = [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert (field, code) in errors
    assert admin.get(POLICIES).json()["data"] == []


# SPEC 4, "Bounded cost": hours that cannot spend a target within a year are refused.
ONE_MINUTE_A_WEEKDAY = {
    "timezone": "UTC",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "00:00",
    "end": "00:01",
}
DAYS_AHEAD = [(date(2026, 12, 23) + timedelta(days=n)).isoformat() for n in range(366)]


def refused(response):
    assert response.status_code == 422, response.text
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_hours_that_cannot_spend_a_target_within_a_year_are_refused(admin, clock):
    hostile = {"medium": {"first_response_minutes": 1, "resolution_minutes": 5_270_400}}
    response = admin.post(
        POLICIES, json={"name": "x", "targets": hostile, "business_hours": ONE_MINUTE_A_WEEKDAY}
    )
    assert ("targets.medium.resolution_minutes", "less_than_equal") in refused(response)
    # 261 weekdays in the year from 2026-12-23: 261 minutes fit, 262 do not.
    fits = {"medium": {"first_response_minutes": 1, "resolution_minutes": 261}}
    one_more = {"high": {"first_response_minutes": 262, "resolution_minutes": 262}}
    body = {"name": "x", "business_hours": ONE_MINUTE_A_WEEKDAY}
    assert refused(admin.post(POLICIES, json={**body, "targets": one_more})) == {
        ("targets.high.first_response_minutes", "target_unreachable"),
        ("targets.high.resolution_minutes", "target_unreachable"),
    }
    assert admin.post(POLICIES, json={**body, "targets": fits}).status_code == 201
    assert len(admin.get(POLICIES).json()["data"]) == 1


def test_a_year_of_holidays_is_refused(admin, clock):
    every_day = {**HOURS, "weekdays": [1, 2, 3, 4, 5, 6, 7], "holidays": DAYS_AHEAD}
    response = admin.post(
        POLICIES, json={"name": "x", "targets": TARGETS, "business_hours": every_day}
    )
    assert refused(response) == {("business_hours", "targets_unreachable")}


def test_a_24x7_target_longer_than_a_year_is_refused(admin, clock):
    year = {"low": {"first_response_minutes": 1, "resolution_minutes": 365 * 24 * 60}}
    assert create_policy(admin, targets=year)["targets"] == year
    longer = {"low": {"first_response_minutes": 1, "resolution_minutes": 365 * 24 * 60 + 1}}
    response = admin.post(POLICIES, json={"name": "x", "targets": longer})
    assert refused(response) == {("targets.low.resolution_minutes", "less_than_equal")}


def test_updates_that_make_a_target_unreachable_are_refused(admin, clock):
    five_hours = {"high": {"first_response_minutes": 30, "resolution_minutes": 300}}
    policy = create_policy(admin, business_hours=HOURS, targets=five_hours)
    path = f"{POLICIES}/{policy['id']}"
    sparse_hours = admin.patch(path, json={"business_hours": ONE_MINUTE_A_WEEKDAY})
    assert refused(sparse_hours) == {("business_hours", "targets_unreachable")}
    long_target = {"high": {"first_response_minutes": 30, "resolution_minutes": 200_000}}
    assert refused(admin.patch(path, json={"targets": long_target})) == {
        ("targets.high.resolution_minutes", "target_unreachable")
    }
    assert admin.get(path).json() == policy
    assert admin.patch(path, json={"name": "Renamed"}).status_code == 200


def test_hours_that_cannot_reach_a_target_are_refused(admin):
    sparse = {"timezone": "UTC", "weekdays": [1], "start": "09:00", "end": "09:01"}
    target = {"medium": {"first_response_minutes": 5, "resolution_minutes": 500_000}}
    response = admin.post(
        POLICIES, json={"name": "Sparse", "targets": target, "business_hours": sparse}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "targets.medium.resolution_minutes"
