"""Rate limits per tenant+app and per address for failed authentications (SPEC 4).

In process and shared through Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
import redis
from fastapi.testclient import TestClient

from edm.errors import TooManyRequests
from edm.server.app import create_app
from edm.server.auth import mint_token
from edm.server.ratelimit import MemoryCounter, RateLimiter
from edm.settings import Settings

TICKETS = "/api/v1/helpdesk/tickets"
REDIS_URL = "redis://127.0.0.1:6379/0"


def limited_app(settings: Settings, **overrides):
    return create_app(settings.model_copy(update={"rate_limit_requests": 3, **overrides}))


def call(http, tenant: str, app_id: str | None = None):
    token = mint_token(settings_secret(http), tenant_id=tenant, subject="u", app_id=app_id)
    return http.get(TICKETS, headers={"Authorization": f"Bearer {token}"})


def settings_secret(http) -> str:
    return http.app.state.settings.jwt_secret.get_secret_value()


@pytest.fixture
def limited(settings) -> Iterator:
    with TestClient(limited_app(settings)) as client:
        yield client


def test_headers_count_down_then_429_with_retry_after(limited):
    tenant = f"rl-{uuid4().hex[:8]}"
    remaining = [int(call(limited, tenant).headers["RateLimit-Remaining"]) for _ in range(3)]
    assert remaining == [2, 1, 0]
    refused = call(limited, tenant)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Limit"] == "3"


def test_one_tenants_burst_does_not_limit_another(limited):
    noisy, quiet = f"noisy-{uuid4().hex[:8]}", f"quiet-{uuid4().hex[:8]}"
    for _ in range(4):
        call(limited, noisy)
    assert call(limited, noisy).status_code == 429
    assert call(limited, quiet).status_code == 200
    assert call(limited, noisy, app_id="integration").status_code == 200


def test_unauthenticated_requests_do_not_spend_a_tenants_quota(limited):
    for _ in range(5):
        assert limited.get(TICKETS).status_code == 401
    assert call(limited, f"fresh-{uuid4().hex[:8]}").status_code == 200


def test_limits_hold_across_replicas_through_redis(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    tenant = f"shared-{uuid4().hex[:8]}"
    replicas = [limited_app(settings, redis_url=REDIS_URL) for _ in range(2)]
    with TestClient(replicas[0]) as first, TestClient(replicas[1]) as second:
        statuses = [call(client, tenant).status_code for client in (first, second) * 2]
    assert statuses == [200, 200, 200, 429]


def test_unreachable_redis_lets_requests_through(settings):
    app = limited_app(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(app) as client:
        assert all(call(client, "t-" + uuid4().hex[:6]).status_code == 200 for _ in range(2))


# -- failed authentications, per client address (SPEC 4, bounded cost) ---------

BAD_TOKEN = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.Zm9yZ2Vk"}


def at_least_seconds_left_in_the_minute(seconds: float) -> None:
    """Fixed windows: a burst that must land in one minute starts early enough in it."""
    left = 60 - time.time() % 60
    if left < seconds:
        time.sleep(left + 0.1)


def client_at(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), raise_server_exceptions=False)


def test_failures_beyond_the_limit_get_429_while_valid_callers_are_served(settings):
    limit = Settings.model_fields["auth_failures_per_minute"].default
    assert limit == 100  # SPEC 4
    app = create_app(settings.model_copy(update={"auth_failures_per_minute": limit}))
    tenant = f"af-{uuid4().hex[:8]}"
    at_least_seconds_left_in_the_minute(20)
    with client_at(app, "198.51.100.7") as attacker, client_at(app, "198.51.100.8") as other:
        statuses = [attacker.get(TICKETS, headers=BAD_TOKEN).status_code for _ in range(limit)]
        refused = attacker.get(TICKETS, headers=BAD_TOKEN)
        valid = call(attacker, tenant)
        elsewhere = other.get(TICKETS, headers=BAD_TOKEN)

    assert statuses == [401] * limit
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert valid.status_code == 200
    assert elsewhere.status_code == 401


def test_one_ipv6_network_counts_as_one_address(settings):
    app = create_app(settings.model_copy(update={"auth_failures_per_minute": 2}))
    at_least_seconds_left_in_the_minute(10)
    with client_at(app, "2001:db8:1:2::1") as first, client_at(app, "2001:db8:1:2::ff") as second:
        assert first.get(TICKETS, headers=BAD_TOKEN).status_code == 401
        assert second.get(TICKETS, headers=BAD_TOKEN).status_code == 401
        assert second.get(TICKETS, headers=BAD_TOKEN).status_code == 429
    with client_at(app, "2001:db8:1:3::1") as next_network:
        assert next_network.get(TICKETS, headers=BAD_TOKEN).status_code == 401


def test_failures_are_counted_across_replicas_through_redis(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    overrides = {"auth_failures_per_minute": 4, "redis_url": REDIS_URL}
    replicas = [create_app(settings.model_copy(update=overrides)) for _ in range(2)]
    address = f"2001:db8:{uuid4().hex[:4]}:{uuid4().hex[:4]}::1"  # a network of this run only
    at_least_seconds_left_in_the_minute(10)
    with client_at(replicas[0], address) as first, client_at(replicas[1], address) as second:
        statuses = [c.get(TICKETS, headers=BAD_TOKEN).status_code for c in (first, second) * 3]
        valid = call(first, f"af-{uuid4().hex[:8]}")

    assert statuses == [401, 401, 401, 401, 429, 429]
    assert valid.status_code == 200


def test_addresses_past_the_bound_share_one_count():
    """An attacker rotating addresses fills at most `max_keys` counters, then is limited anyway."""
    counter = MemoryCounter(max_keys=1000)
    limiter = RateLimiter(counter, 100, 60, scope="auth-failures", what="failures")
    at_least_seconds_left_in_the_minute(10)

    async def rotate(addresses: int) -> int:
        refused = 0
        for n in range(addresses):
            try:
                await limiter.count(f"10.0.{n // 256}.{n % 256}")
            except TooManyRequests:
                refused += 1
        return refused

    refused = asyncio.run(rotate(5000))

    assert len(counter) <= counter.max_keys + 1
    assert refused == 5000 - 1000 - 100
