"""The verified-token cache: keyed by the token, bounded in bytes (SPEC 4, bounded cost).

A header is parsed strictly (`Bearer`, any case, a few spaces, a JWS
compact token); what fails the parse is a 401 that never reaches the
cache, and whatever sequence of tokens arrives, the cache stays within
its byte budget.
"""

from __future__ import annotations

import tracemalloc
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from edm.server.auth import VERIFIED_CACHE_BYTES, TokenVerifier, mint_token
from edm.settings import Settings

TICKETS = "/api/v1/helpdesk/tickets"


@pytest.fixture
def secret(settings: Settings) -> str:
    assert settings.jwt_secret is not None
    return settings.jwt_secret.get_secret_value()


@pytest.fixture
def token(secret: str, tenant: str) -> str:
    return mint_token(secret, tenant_id=tenant, subject="alice")


def cached(http: TestClient) -> int:
    verifier: TokenVerifier = http.app.state.verifier  # type: ignore[attr-defined]
    return len(verifier.verified)


@pytest.mark.parametrize("spelling", ["Bearer {}", "bearer {}", "BEARER {}", "Bearer    {}"])
def test_one_token_is_one_entry_however_the_header_spells_it(
    http: TestClient, token: str, spelling: str
) -> None:
    assert http.get(TICKETS, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    before = cached(http)

    response = http.get(TICKETS, headers={"Authorization": spelling.format(token)})

    assert response.status_code == 200
    assert cached(http) == before


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer" + " " * 5 + "{}", id="five-spaces"),
        pytest.param("Bearer" + " " * 4000 + "{}", id="four-thousand-spaces"),
        pytest.param("Bearer\t{}", id="tab"),
        pytest.param("Bearer {}.x", id="four-segments"),
        pytest.param("Bearer {}~", id="not-base64url"),
        pytest.param("Bearer {} {}", id="two-tokens"),
        pytest.param("Bearer=={}", id="no-space"),
    ],
)
def test_malformed_headers_are_401_and_touch_no_cache(
    http: TestClient, token: str, header: str
) -> None:
    before = cached(http)

    response = http.get(TICKETS, headers={"Authorization": header.format(token, token)})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert cached(http) == before


def test_the_cache_stays_within_its_byte_budget(settings: Settings, secret: str) -> None:
    """Distinct valid tokens, twice what fits: the oldest make room, the memory is bounded."""
    verifier = TokenVerifier(settings)
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for n in range(2 * VERIFIED_CACHE_BYTES // 1000):
            verifier.principal(
                "Bearer " + mint_token(secret, tenant_id=f"t-{uuid4().hex}", subject=f"u{n}")
            )
        held = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()

    assert verifier.verified.size_bytes <= VERIFIED_CACHE_BYTES
    assert held <= VERIFIED_CACHE_BYTES * 1.25
    assert len(verifier.verified) < 2 * VERIFIED_CACHE_BYTES // 1000


def test_a_recent_token_is_still_served_from_the_cache_after_a_flood(
    settings: Settings, secret: str
) -> None:
    verifier = TokenVerifier(settings)
    for n in range(2 * VERIFIED_CACHE_BYTES // 1000):
        verifier.principal("Bearer " + mint_token(secret, tenant_id="flood", subject=f"u{n}"))
    recent = "Bearer " + mint_token(secret, tenant_id="t", subject="recent")
    first = verifier.principal(recent)

    assert verifier.principal(recent) is first
