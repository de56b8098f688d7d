"""The SDK against the real application, in-process (no network, no mocks).

Uses the suite's shared fixtures (`http`: a TestClient of the app on the
test database; `caller`: tokens for a fresh tenant per test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import edm

BASE_URL = "http://testserver"

SdkFactory = Callable[..., edm.Client]


@pytest.fixture
def sdk_for(http: httpx.Client, caller: Callable[..., Any]) -> Iterator[SdkFactory]:
    """`sdk_for("admin")` -> an `edm.Client` acting as that role in this test's tenant."""
    clients: list[edm.Client] = []

    def make(role: str = "agent", **identity: Any) -> edm.Client:
        sdk = edm.Client(BASE_URL, caller(role, **identity).token, http_client=http)
        clients.append(sdk)
        return sdk

    yield make
    for sdk in clients:
        sdk.close()


@pytest.fixture
def admin_sdk(sdk_for: SdkFactory) -> edm.Client:
    return sdk_for("admin", sub="admin-1")


@pytest.fixture
async def async_admin_sdk(app: Any, caller: Callable[..., Any]) -> AsyncIterator[edm.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with edm.AsyncClient(BASE_URL, caller("admin").token, http_client=http) as sdk:
        yield sdk
    await http.aclose()


def test_ticket_lifecycle(admin_sdk: edm.Client) -> None:
    tickets = admin_sdk.helpdesk.tickets
    created = tickets.create(
        title="VPN down", priority="high", description="Since 9am", tags=["vpn"]
    )
    assert created.number.startswith("TKT-")
    assert (created.status, created.priority, created.tags) == ("open", "high", ["vpn"])
    assert created.created_at.tzinfo is not None
    assert created.etag

    by_number = tickets.get(created.number)
    assert by_number.id == created.id

    updated = tickets.update(
        created.id, description=None, status="in_progress", if_match=by_number.etag
    )
    assert (updated.description, updated.status) == (None, "in_progress")

    closed = tickets.close(created.id)
    assert closed.status == "closed"
    assert closed.resolved_at is not None
    with pytest.raises(edm.ConflictError):
        tickets.update(created.id, title="Too late")
    assert tickets.reopen(created.id).status == "open"

    deleted = tickets.delete(created.id)
    assert deleted.is_deleted
    with pytest.raises(edm.NotFoundError):
        tickets.get(created.id)
    assert tickets.get(created.id, include_deleted=True).is_deleted
    restored = tickets.restore(created.id)
    assert (restored.is_deleted, restored.number) == (False, created.number)


def test_to_dict_matches_the_api_json(admin_sdk: edm.Client, http: httpx.Client) -> None:
    ticket = admin_sdk.helpdesk.tickets.create(title="Same JSON", tags=["a"])
    raw = http.get(
        f"/api/v1/helpdesk/tickets/{ticket.id}",
        headers={"Authorization": admin_sdk._requester.config.headers()["Authorization"]},
    )
    assert admin_sdk.helpdesk.tickets.get(ticket.id).to_dict() == raw.json()


def test_auto_pagination_and_filters(admin_sdk: edm.Client) -> None:
    tickets = admin_sdk.helpdesk.tickets
    numbers = [tickets.create(title=f"Batch {i}", tags=["batch"]).number for i in range(5)]
    tickets.create(title="Other")
    first = tickets.list(tag="batch", order="number", limit=2)
    assert (len(first.data), first.has_more) == (2, True)
    assert [t.number for t in first] == numbers
    assert [len(p.data) for p in first.iter_pages()] == [2, 2, 1]
    assert [t.title for t in tickets.list(q="Other")] == ["Other"]


def test_errors_carry_status_code_and_request_id(
    admin_sdk: edm.Client, sdk_for: SdkFactory
) -> None:
    tickets = admin_sdk.helpdesk.tickets
    with pytest.raises(edm.NotFoundError) as not_found:
        tickets.get("TKT-9999")
    assert (not_found.value.status_code, not_found.value.code) == (404, "not_found")
    assert not_found.value.request_id
    assert str(not_found.value).startswith("404 not_found: ")

    with pytest.raises(edm.UnprocessableEntityError) as invalid:
        tickets.create(title="x" * 201)
    assert [e.field for e in invalid.value.errors] == ["title"]

    with pytest.raises(edm.BadRequestError) as bad:
        tickets.list(limit=0)
    assert bad.value.errors[0].field == "limit"

    ticket = tickets.create(title="Etag")
    tickets.update(ticket.id, title="Changed")
    with pytest.raises(edm.PreconditionFailedError):
        tickets.update(ticket.id, title="Stale", if_match=ticket.etag)

    with pytest.raises(edm.PermissionDeniedError):
        sdk_for("agent").helpdesk.tickets.delete(ticket.id)
    with pytest.raises(edm.NotFoundError):
        sdk_for("admin", tenant_id="another-tenant").helpdesk.tickets.get(ticket.id)


def test_a_bad_token_is_an_authentication_error(http: httpx.Client) -> None:
    with (
        edm.Client(BASE_URL, "not-a-jwt", http_client=http) as sdk,
        pytest.raises(edm.AuthenticationError) as caught,
    ):
        sdk.helpdesk.tickets.list()
    assert caught.value.status_code == 401


def test_comments_and_history(admin_sdk: edm.Client) -> None:
    tickets = admin_sdk.helpdesk.tickets
    ticket = tickets.create(title="Noisy fan")
    tickets.comments.create(ticket.id, body="Looking into it", public=False)
    tickets.comments.create(ticket.number, body="Fixed")
    tickets.close(ticket.id)
    assert [c.body for c in tickets.comments.list(ticket.id)] == ["Looking into it", "Fixed"]
    actions = [e.action for e in tickets.events.list(ticket.id)]
    assert actions[0] == "create"
    assert actions[-1] == "close"


def test_boolean_filters(admin_sdk: edm.Client) -> None:
    tickets = admin_sdk.helpdesk.tickets
    ticket = tickets.create(title="Noisy fan")
    tickets.comments.create(ticket.id, body="Internal note", public=False)
    tickets.comments.create(ticket.id, body="Reply")
    assert [c.body for c in tickets.comments.list(ticket.id, public=False)] == ["Internal note"]


def test_sla_policies(admin_sdk: edm.Client) -> None:
    targets = {"high": {"first_response_minutes": 30, "resolution_minutes": 240}}
    policy = admin_sdk.helpdesk.sla_policies.create(name="Standard", targets=targets)
    assert policy.targets == targets
    ticket = admin_sdk.helpdesk.tickets.create(title="Timed", priority="high", sla_policy=policy.id)
    assert ticket.sla_policy == policy.id
    assert ticket.due_at is not None
    assert [p.name for p in admin_sdk.helpdesk.sla_policies.list()] == ["Standard"]


@pytest.mark.anyio
async def test_async_client_end_to_end(async_admin_sdk: edm.AsyncClient) -> None:
    tickets = async_admin_sdk.helpdesk.tickets
    created = [await tickets.create(title=f"Async {i}", tags=["async"]) for i in range(3)]
    fetched = await tickets.get(created[0].number)
    assert fetched.id == created[0].id
    first = await tickets.list(tag="async", limit=2)
    assert first.has_next_page()
    titles = [t.title async for t in tickets.list(tag="async", order="created_at", limit=2)]
    assert titles == ["Async 0", "Async 1", "Async 2"]
    closed = await tickets.close(created[1].id, if_match=created[1].etag)
    assert closed.status == "closed"
    with pytest.raises(edm.NotFoundError):
        await tickets.get("TKT-9999")
