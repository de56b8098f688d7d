"""The SDK's platform door (issue 25 item 5): applications and keys from an admin's
client, and `edm.Client(api_key=...)` acting as the application. In-process
against the real application, as test_sdk_e2e.py does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import edm
import edm.client

BASE_URL = "http://testserver"


@pytest.fixture
def admin_sdk(http: httpx.Client, caller: Callable[..., Any]) -> Iterator[edm.Client]:
    with edm.Client(BASE_URL, caller("admin").token, http_client=http) as sdk:
        yield sdk


@pytest.fixture
def key_sdk(http: httpx.Client) -> Iterator[Callable[[str], edm.Client]]:
    clients: list[edm.Client] = []

    def make(secret: str) -> edm.Client:
        sdk = edm.Client(BASE_URL, api_key=secret, http_client=http)
        clients.append(sdk)
        return sdk

    yield make
    for sdk in clients:
        sdk.close()


def test_admin_manages_applications_and_keys(admin_sdk: edm.Client) -> None:
    applications = admin_sdk.platform.applications
    app = applications.create(name="Bridge", scopes=["helpdesk.tickets:read"], roles=["agent"])
    assert isinstance(app, edm.client.Application) and app.id.startswith("app_")
    assert app.scopes == ["helpdesk.tickets:read"]
    assert [a.id for a in applications.list()] == [app.id]
    assert applications.update(app.id, rate_limit_per_minute=60).rate_limit_per_minute == 60

    key = applications.keys.create(app.id, name="production")
    assert isinstance(key, edm.client.APIKey) and key.secret and key.secret.startswith("edm_sk_")
    listed = list(applications.keys.list(app.id))
    assert [(k.id, k.secret) for k in listed] == [(key.id, None)]
    assert applications.keys.get(app.id, key.id).secret is None

    rotated = applications.keys.rotate(app.id, key.id, overlap_seconds=60)
    assert rotated.secret and rotated.secret != key.secret
    assert applications.keys.get(app.id, key.id).expires_at is not None
    assert applications.keys.revoke(app.id, rotated.id).revoked_at is not None
    assert applications.delete(app.id).is_deleted


def test_a_client_with_an_api_key_acts_as_the_application(
    admin_sdk: edm.Client, key_sdk: Callable[[str], edm.Client]
) -> None:
    app = admin_sdk.platform.applications.create(name="Bridge")
    secret = admin_sdk.platform.applications.keys.create(app.id).secret
    assert secret is not None
    integration = key_sdk(secret)

    ticket = integration.helpdesk.tickets.create(title="From the bridge")

    assert ticket.app_id == app.id and ticket.created_by == app.id
    with pytest.raises(edm.PermissionDeniedError):
        integration.platform.applications.list()


def test_a_missing_scope_is_a_permission_error_naming_it(
    admin_sdk: edm.Client, key_sdk: Callable[[str], edm.Client]
) -> None:
    app = admin_sdk.platform.applications.create(name="Reader", scopes=["helpdesk.tickets:read"])
    integration = key_sdk(admin_sdk.platform.applications.keys.create(app.id).secret or "")

    with pytest.raises(edm.PermissionDeniedError) as refused:
        integration.helpdesk.tickets.create(title="no")

    assert refused.value.code == "insufficient_scope"
    assert list(integration.helpdesk.tickets.list()) == []


def test_a_revoked_key_is_an_authentication_error(
    admin_sdk: edm.Client, key_sdk: Callable[[str], edm.Client]
) -> None:
    app = admin_sdk.platform.applications.create(name="Bridge")
    key = admin_sdk.platform.applications.keys.create(app.id)
    admin_sdk.platform.applications.keys.revoke(app.id, key.id)

    with pytest.raises(edm.AuthenticationError):
        key_sdk(key.secret or "").helpdesk.tickets.list()


def test_api_key_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDM_TOKEN", raising=False)
    monkeypatch.delenv("EDM_API_KEY", raising=False)
    with pytest.raises(edm.EDMError, match="not both"):
        edm.Client(BASE_URL, "a.jwt.token", api_key="edm_sk_x")
    with pytest.raises(edm.EDMError, match="edm_sk_"):
        edm.Client(BASE_URL, api_key="eyJ.not.a.key")
    monkeypatch.setenv("EDM_API_KEY", "edm_sk_from_the_environment")
    with edm.Client(BASE_URL) as client:
        assert client._requester.config.token == "edm_sk_from_the_environment"


@pytest.fixture
async def async_admin_sdk(app: Any, caller: Callable[..., Any]) -> AsyncIterator[edm.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with edm.AsyncClient(BASE_URL, caller("admin").token, http_client=http) as sdk:
        yield sdk
    await http.aclose()


@pytest.mark.anyio
async def test_async_clients_too(app: Any, async_admin_sdk: edm.AsyncClient) -> None:
    applications = async_admin_sdk.platform.applications
    app_record = await applications.create(name="Async bridge")
    key = await applications.keys.create(app_record.id)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with edm.AsyncClient(BASE_URL, api_key=key.secret, http_client=http) as integration:
        ticket = await integration.helpdesk.tickets.create(title="async")
    await http.aclose()
    assert ticket.app_id == app_record.id
