"""List pages of one shape share one statement, and each answers for its own values.

Statements are built once per shape (`RecordStore`): the values of a
request (filters, search text, cursor, the time for `overdue`) are bind
parameters, so a cached statement must never carry one request's values
into the next.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from edm.manifest import resource

TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"


def _numbers(caller: Any, **params: Any) -> list[str]:
    response = caller.get(TICKETS, params=params)
    assert response.status_code == 200, response.text
    return [t["number"] for t in response.json()["data"]]


def _create(caller: Any, **fields: Any) -> str:
    response = caller.post(TICKETS, json={"title": "Ticket", **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def test_one_statement_serves_every_value_of_a_filter(agent: Any, app: Any) -> None:
    high = _create(agent, priority="high", tags=["vpn"])
    low = _create(agent, priority="low", tags=["printer"])
    store = app.state.services["tickets"].store
    store._page_statement.cache_clear()

    assert _numbers(agent, priority="high") == [high]
    assert _numbers(agent, priority="low") == [low]
    assert _numbers(agent, tag="vpn") == [high]
    assert _numbers(agent, tag="printer") == [low]
    assert _numbers(agent, q=f"{high}") == [high]
    assert _numbers(agent, q=f"{low}") == [low]

    info = store._page_statement.cache_info()
    assert (info.misses, info.hits) == (3, 3)  # one statement per filter kind


def test_cursors_of_one_order_share_a_statement(agent: Any, app: Any) -> None:
    created = [_create(agent, title=f"Page {i}") for i in range(5)]
    store = app.state.services["tickets"].store
    store._page_statement.cache_clear()

    seen, cursor = [], None
    while True:
        params = {"limit": 2, "order": "created_at", **({"cursor": cursor} if cursor else {})}
        page = agent.get(TICKETS, params=params).json()
        seen += [t["number"] for t in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]

    assert seen == created
    assert store._page_statement.cache_info().misses == 2  # the first page, and the rest


def test_overdue_is_decided_at_each_requests_time(admin: Any, agent: Any, clock: Any) -> None:
    targets = {"first_response_minutes": 30, "resolution_minutes": 60}
    priorities = resource("tickets").field("priority").enum or ()
    policy = admin.post(
        POLICIES, json={"name": "1h", "targets": dict.fromkeys(priorities, targets)}
    ).json()
    clock.now = datetime.now(UTC)
    ticket = _create(agent, sla_policy=policy["id"])

    assert _numbers(agent, overdue="true") == []
    clock.advance(hours=2)
    assert _numbers(agent, overdue="true") == [ticket]
    clock.now -= timedelta(hours=2)
    assert _numbers(agent, overdue="false") == [ticket]
