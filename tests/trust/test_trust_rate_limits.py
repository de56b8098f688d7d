"""Per tenant+app rate limits, in process and shared through Redis (SPEC 4)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
import redis
from fastapi.testclient import TestClient

from edm.server.app import create_app
from edm.server.auth import mint_token
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
