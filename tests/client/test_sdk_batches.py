"""The SDK's batch methods against the real application, in-process (SPEC 11)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
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
async def async_admin_sdk(app: Any, caller: Callable[..., Any]) -> AsyncIterator[edm.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http,
        edm.AsyncClient(BASE_URL, caller("admin").token, http_client=http) as sdk,
    ):
        yield sdk


def test_batch_create_returns_typed_results_in_item_order(admin_sdk: edm.Client) -> None:
    results = admin_sdk.helpdesk.tickets.batch_create(
        [{"title": "first", "priority": "high"}, {"title": ""}, {"title": "second"}]
    )
    assert [r.status for r in results] == [201, 422, 201]
    first, invalid, second = results
    assert isinstance(first.record, edm.client.Ticket) and first.ok
    assert (first.record.number, second.record and second.record.number) == (
        "TKT-0001",
        "TKT-0002",
    )
    assert invalid.record is None and invalid.error is not None and not invalid.ok
    assert invalid.error.code == "validation_failed"
    assert [e.field for e in invalid.error.errors] == ["title"]


def test_atomic_batch_create_raises_the_batch_error(admin_sdk: edm.Client) -> None:
    with pytest.raises(edm.UnprocessableEntityError) as caught:
        admin_sdk.helpdesk.tickets.batch_create([{"title": "ok"}, {"title": ""}], atomic=True)
    assert [e.field for e in caught.value.errors] == ["items[1].title"]
    assert list(admin_sdk.helpdesk.tickets.list()) == []


def test_batch_create_preserves_timestamps_given_as_datetimes(admin_sdk: edm.Client) -> None:
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    (result,) = admin_sdk.helpdesk.tickets.batch_create(
        [{"title": "old", "created_at": created}], preserve_timestamps=True
    )
    assert result.record is not None and result.record.created_at == created


def test_batch_update_with_stale_if_match(admin_sdk: edm.Client) -> None:
    tickets = admin_sdk.helpdesk.tickets
    ticket = tickets.create(title="to change")
    stale = ticket.etag
    tickets.update(ticket.id, priority="low")
    results = tickets.batch_update(
        [
            {"id": ticket.id, "if_match": stale, "changes": {"title": "lost"}},
            {"id": ticket.number, "changes": {"status": "resolved"}},
        ]
    )
    assert [r.status for r in results] == [412, 200]
    assert results[1].record is not None and results[1].record.status == "resolved"


@pytest.mark.anyio
async def test_async_batch_methods(async_admin_sdk: edm.AsyncClient) -> None:
    tickets = async_admin_sdk.helpdesk.tickets
    created = await tickets.batch_create([{"title": "a"}, {"title": "b"}], idempotency_key="k-1")
    replayed = await tickets.batch_create([{"title": "a"}, {"title": "b"}], idempotency_key="k-1")
    assert [r.record and r.record.id for r in replayed] == [
        r.record and r.record.id for r in created
    ]
    ids = [r.record.id for r in created if r.record is not None]
    updated = await tickets.batch_update(
        [{"id": i, "changes": {"priority": "urgent"}} for i in ids]
    )
    assert [r.record and r.record.priority for r in updated] == ["urgent", "urgent"]
