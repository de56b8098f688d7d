"""Ticket numbers stay unique and gapless under concurrent creates through
several server processes sharing one database (SPEC 5)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import httpx

TICKETS = "/api/v1/helpdesk/tickets"
CLIENTS = 16
CREATES_PER_CLIENT = 8


def test_concurrent_creates_across_two_processes_get_unique_gapless_numbers(live_server, mint):
    servers = [live_server(), live_server()]
    tenant = f"race-{uuid4().hex[:8]}"
    headers = {"Authorization": "Bearer " + mint(tenant_id=tenant, subject="racer")}

    def create_many(client_index: int) -> list[str]:
        base = servers[client_index % len(servers)].url
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            numbers = []
            for i in range(CREATES_PER_CLIENT):
                response = client.post(TICKETS, json={"title": f"c{client_index}-{i}"})
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])
            return numbers

    with ThreadPoolExecutor(CLIENTS) as pool:
        acknowledged = [n for batch in pool.map(create_many, range(CLIENTS)) for n in batch]

    total = CLIENTS * CREATES_PER_CLIENT
    assert sorted(acknowledged) == [f"TKT-{n:04d}" for n in range(1, total + 1)]
    with httpx.Client(base_url=servers[0].url, headers=headers) as client:
        stored = client.get(TICKETS, params={"limit": 200}).json()["data"]
    assert sorted(t["number"] for t in stored) == sorted(acknowledged)
