"""Bounded cost (SPEC 4): an SLA policy cannot make a create expensive.

The hostile request of the attack run: business hours of one minute on every
weekday and a resolution target of 5,270,400 minutes. Stored, it made every
create of the tenant take seconds (the due date was searched for day by day).
It is refused now; and a row stored before that rule (planted here straight
into the table) still leaves creates fast, while other tenants are served.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import update

from edm.store.database import Database
from edm.store.schema import TABLES

POLICIES = "/api/v1/helpdesk/sla_policies"
TICKETS = "/api/v1/helpdesk/tickets"
ONE_MINUTE_A_WEEKDAY = {
    "timezone": "Europe/London",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "00:00",
    "end": "00:01",
}
HOSTILE_TARGETS = {"medium": {"first_response_minutes": 1, "resolution_minutes": 5_270_400}}
# SPEC 4 asks for "about a second" per request; one create takes milliseconds.
BOUND_S = 1.0


def timed(send, *args, **kwargs):
    began = time.perf_counter()
    response = send(*args, **kwargs)
    return response, time.perf_counter() - began


def test_the_hostile_policy_is_refused(admin):
    body = {"name": "Hostile", "targets": HOSTILE_TARGETS, "business_hours": ONE_MINUTE_A_WEEKDAY}
    response = admin.post(POLICIES, json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"targets.medium.resolution_minutes"}
    assert admin.get(POLICIES).json()["data"] == []


@pytest.fixture
def planted(admin, database_url, tenant) -> str:
    """The tenant's default policy, made hostile behind the API's back, as a row
    stored before the rule would be."""
    fair = {"medium": {"first_response_minutes": 1, "resolution_minutes": 1}}
    body = {"name": "Old", "is_default": True, "targets": fair}
    policy = admin.post(POLICIES, json={**body, "business_hours": ONE_MINUTE_A_WEEKDAY}).json()
    policies = TABLES["sla_policies"]
    db = Database(database_url, pool_size=1)
    try:
        with db.write(tenant) as conn:
            changed = conn.execute(
                update(policies)
                .where(policies.c.tenant_id == tenant, policies.c.id == policy["id"])
                .values(targets=HOSTILE_TARGETS)
            )
            assert changed.rowcount == 1
    finally:
        db.dispose()
    return str(policy["id"])


def test_a_stored_hostile_policy_leaves_creates_fast(admin, planted):
    for _ in range(3):
        response, took = timed(admin.post, TICKETS, json={"title": "Printer on fire"})
        assert response.status_code == 201, response.text
        ticket = response.json()
        assert (ticket["sla_policy"], ticket["due_at"]) == (planted, None)
        assert took < BOUND_S, f"a create took {took:.2f}s"


def test_other_tenants_are_served_while_it_is_used(live_server, mint, tenant, planted):
    server = live_server()
    hostile = {"Authorization": f"Bearer {mint(tenant_id=tenant, subject='agent-1')}"}
    other_tenant = f"other-{uuid4().hex[:8]}"
    other = {"Authorization": f"Bearer {mint(tenant_id=other_tenant, subject='agent-2')}"}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post(TICKETS, json={"title": "mine"}, headers=other).status_code == 201

        def create():
            return timed(client.post, TICKETS, json={"title": "x"}, headers=hostile)

        def list_other():
            return timed(client.get, TICKETS, headers=other)

        with ThreadPoolExecutor(max_workers=6) as pool:
            creates = [pool.submit(create) for _ in range(8)]
            lists = [pool.submit(list_other) for _ in range(8)]
            created = [future.result() for future in creates]
            listed = [future.result() for future in lists]

    for response, took in created:
        assert response.status_code == 201, response.text
        assert response.json()["due_at"] is None
        assert took < BOUND_S, f"a create took {took:.2f}s"
    for response, took in listed:
        assert response.status_code == 200
        assert [t["title"] for t in response.json()["data"]] == ["mine"]
        assert took < BOUND_S, f"another tenant waited {took:.2f}s"
