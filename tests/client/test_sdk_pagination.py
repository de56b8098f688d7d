"""Pages follow `next_cursor`, lazily, with the same filters, sync and async."""

from __future__ import annotations

import httpx
import pytest
from sdk_fakes import Wire, ticket_json

import edm


def page(numbers: list[int], next_cursor: str | None) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "data": [ticket_json(number=f"TKT-{n:04d}") for n in numbers],
            "has_more": next_cursor is not None,
            "next_cursor": next_cursor,
        },
    )


def three_pages(wire: Wire) -> None:
    wire.queue(page([1, 2], "c1"), page([3, 4], "c2"), page([5], None))


def cursors(wire: Wire) -> list[str | None]:
    return [r.url.params.get("cursor") for r in wire.requests]


def test_iterating_a_page_walks_every_page(client: edm.Client, wire: Wire) -> None:
    three_pages(wire)
    numbers = [t.number for t in client.helpdesk.tickets.list(status="open", limit=2)]
    assert numbers == ["TKT-0001", "TKT-0002", "TKT-0003", "TKT-0004", "TKT-0005"]
    assert cursors(wire) == [None, "c1", "c2"]
    for request in wire.requests:
        assert request.url.params["status"] == "open"
        assert request.url.params["limit"] == "2"


def test_pages_are_fetched_only_when_needed(client: edm.Client, wire: Wire) -> None:
    three_pages(wire)
    records = iter(client.helpdesk.tickets.list())
    assert len(wire.requests) == 1
    for _ in range(3):
        next(records)
    assert len(wire.requests) == 2


def test_manual_paging(client: edm.Client, wire: Wire) -> None:
    three_pages(wire)
    first = client.helpdesk.tickets.list()
    assert (first.has_more, first.next_cursor, first.has_next_page()) == (True, "c1", True)
    second = first.get_next_page()
    assert [t.number for t in second.data] == ["TKT-0003", "TKT-0004"]
    last = second.get_next_page()
    assert not last.has_next_page()
    with pytest.raises(edm.EDMError, match="last page"):
        last.get_next_page()


def test_iter_pages(client: edm.Client, wire: Wire) -> None:
    three_pages(wire)
    sizes = [len(p.data) for p in client.helpdesk.tickets.list().iter_pages()]
    assert sizes == [2, 2, 1]


def test_a_given_cursor_starts_there_and_is_replaced_later(client: edm.Client, wire: Wire) -> None:
    wire.queue(page([3, 4], "c2"), page([5], None))
    list(client.helpdesk.tickets.list(cursor="c1"))
    assert [r.url.params.get_list("cursor") for r in wire.requests] == [["c1"], ["c2"]]


@pytest.mark.anyio
async def test_await_gives_the_first_page(aclient: edm.AsyncClient, wire: Wire) -> None:
    three_pages(wire)
    first = await aclient.helpdesk.tickets.list(limit=2)
    assert [t.number for t in first.data] == ["TKT-0001", "TKT-0002"]
    assert len(wire.requests) == 1
    second = await first.get_next_page()
    assert second.next_cursor == "c2"


@pytest.mark.anyio
async def test_async_for_walks_every_page(aclient: edm.AsyncClient, wire: Wire) -> None:
    three_pages(wire)
    numbers = [t.number async for t in aclient.helpdesk.tickets.list(priority=["high", "urgent"])]
    assert numbers == ["TKT-0001", "TKT-0002", "TKT-0003", "TKT-0004", "TKT-0005"]
    assert cursors(wire) == [None, "c1", "c2"]
    assert {r.url.params["priority"] for r in wire.requests} == {"high,urgent"}


@pytest.mark.anyio
async def test_nothing_is_sent_before_await_or_async_for(
    aclient: edm.AsyncClient, wire: Wire
) -> None:
    aclient.helpdesk.tickets.list()
    assert wire.requests == []


@pytest.mark.anyio
async def test_async_page_iteration(aclient: edm.AsyncClient, wire: Wire) -> None:
    three_pages(wire)
    first = await aclient.helpdesk.tickets.list()
    assert len([t async for t in first]) == 5


@pytest.mark.anyio
async def test_async_iter_pages(aclient: edm.AsyncClient, wire: Wire) -> None:
    three_pages(wire)
    first = await aclient.helpdesk.tickets.list()
    assert [len(p.data) async for p in first.iter_pages()] == [2, 2, 1]
