"""Two `edm serve` replicas on one database and one Redis (SPEC 2, issue 6 item 7):
numbers stay unique and gapless, replays answer the first response whichever
replica serves them, and the rate limit holds across both."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from uuid import uuid4

import httpx
import pytest
import redis

TICKETS = "/api/v1/helpdesk/tickets"
REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT, WINDOW = 250, 3600
CLIENTS, CREATES = 8, 8


@pytest.fixture
def replicas(live_server):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    if WINDOW - time.time() % WINDOW < 30:  # do not straddle a rate-limit window
        time.sleep(WINDOW - time.time() % WINDOW + 1)
    env = {
        "EDM_REDIS_URL": REDIS_URL,
        "EDM_RATE_LIMIT_REQUESTS": str(LIMIT),
        "EDM_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
    }
    return [live_server(**env), live_server(**env)]


def test_replicas_share_numbers_replays_and_limits(replicas, mint):
    token = mint(tenant_id=f"replicas-{uuid4().hex[:8]}", subject="client")
    clients = [
        httpx.Client(base_url=s.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for s in replicas
    ]

    def create_and_replay(client_index: int) -> list[tuple[httpx.Response, httpx.Response]]:
        pairs = []
        for n in range(CREATES):
            key = {"Idempotency-Key": f"c{client_index}-{n}"}
            body = {"title": f"client {client_index} ticket {n}"}
            first = clients[n % 2].post(TICKETS, json=body, headers=key)
            replay = clients[(n + 1) % 2].post(TICKETS, json=body, headers=key)
            pairs.append((first, replay))
        return pairs

    with ThreadPoolExecutor(CLIENTS) as pool:
        pairs = [p for batch in pool.map(create_and_replay, range(CLIENTS)) for p in batch]

    assert all(first.status_code == 201 for first, _ in pairs)
    for first, replay in pairs:
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == first.json()
    numbers = sorted(first.json()["number"] for first, _ in pairs)
    assert numbers == [f"TKT-{n:04d}" for n in range(1, CLIENTS * CREATES + 1)]

    spent = 2 * len(pairs)
    statuses: list[int] = []
    replica = cycle(clients)
    for _ in range(LIMIT - spent + 5):
        statuses.append(next(replica).get(TICKETS, params={"limit": 1}).status_code)
    assert statuses.count(200) == LIMIT - spent
    assert set(statuses[LIMIT - spent :]) == {429}
    for client in clients:
        client.close()
