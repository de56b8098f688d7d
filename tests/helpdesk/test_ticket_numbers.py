"""Ticket numbers: `TKT-` and at least four digits, taken from the tenant's counter (SPEC 5)."""

from __future__ import annotations

from typing import Any

from edm.store.counters import allocate
from edm.store.database import Database

TICKETS = "/api/v1/helpdesk/tickets"


def test_numbers_grow_past_four_digits_and_stay_findable(
    agent: Any, tenant: str, database_url: str
) -> None:
    assert agent.post(TICKETS, json={"title": "first"}).json()["number"] == "TKT-0001"
    db = Database(database_url, pool_size=1)
    try:
        with db.writes(tenant) as writes:
            allocate(writes, tenant, "tickets", 9997)  # as a bulk load of 9,997 tickets would
    finally:
        db.dispose()

    created = [agent.post(TICKETS, json={"title": f"t{i}"}).json()["number"] for i in range(2)]

    assert created == ["TKT-9999", "TKT-10000"]
    assert agent.get(f"{TICKETS}/TKT-10000").json()["title"] == "t1"
