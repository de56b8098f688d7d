"""What is retried, how long the client waits, and the idempotency key across attempts."""

from __future__ import annotations

import httpx
import pytest
from sdk_fakes import BASE_URL, TOKEN, Wire, problem, ticket_json

import edm
from edm.client._retry import BACKOFF_CAP, backoff

TICKET_ID = "tkt_01JD0000000000000000000001"


def created() -> httpx.Response:
    return httpx.Response(201, json=ticket_json())


def ok() -> httpx.Response:
    return httpx.Response(200, json={"data": [], "has_more": False, "next_cursor": None})


def keys(wire: Wire) -> list[str | None]:
    return [r.headers.get("idempotency-key") for r in wire.requests]


def test_503_then_201_retries_with_the_same_idempotency_key(
    client: edm.Client, wire: Wire, sleeps: list[float]
) -> None:
    wire.queue(problem(503, "service_unavailable", "Database down"), created())
    ticket = client.helpdesk.tickets.create(title="Printer on fire")
    assert ticket.number == "TKT-0001"
    assert len(wire.requests) == 2
    first, second = keys(wire)
    assert first and first == second
    assert wire.requests[0].content == wire.requests[1].content
    assert len(sleeps) == 1
    assert 0.375 <= sleeps[0] <= 0.5


def test_connection_error_then_200(client: edm.Client, wire: Wire, sleeps: list[float]) -> None:
    wire.queue(httpx.ConnectError("refused"), ok())
    assert client.helpdesk.tickets.list().data == []
    assert len(wire.requests) == 2
    assert len(sleeps) == 1


def test_timeout_then_200(client: edm.Client, wire: Wire) -> None:
    wire.queue(httpx.ReadTimeout("slow"), ok())
    client.helpdesk.tickets.list()
    assert len(wire.requests) == 2


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_retryable_statuses(client: edm.Client, wire: Wire, status: int) -> None:
    wire.queue(problem(status, "busy", "Busy"), ok())
    client.helpdesk.tickets.list()
    assert len(wire.requests) == 2


def test_429_honours_retry_after(client: edm.Client, wire: Wire, sleeps: list[float]) -> None:
    limited = problem(429, "rate_limited", "Slow down")
    limited.headers["Retry-After"] = "3"
    wire.queue(limited, ok())
    client.helpdesk.tickets.list()
    assert sleeps == [3.0]


def test_retry_after_is_capped(client: edm.Client, wire: Wire, sleeps: list[float]) -> None:
    limited = problem(429, "rate_limited", "Slow down")
    limited.headers["Retry-After"] = "86400"
    wire.queue(limited, ok())
    client.helpdesk.tickets.list()
    assert sleeps == [60.0]


def test_unparsable_retry_after_falls_back_to_backoff(
    client: edm.Client, wire: Wire, sleeps: list[float]
) -> None:
    limited = problem(429, "rate_limited", "Slow down")
    limited.headers["Retry-After"] = "Wed, 21 Oct 2026 07:28:00 GMT"
    wire.queue(limited, ok())
    client.helpdesk.tickets.list()
    assert 0.375 <= sleeps[0] <= 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 422, 500])
def test_other_errors_are_never_retried(client: edm.Client, wire: Wire, status: int) -> None:
    wire.queue(problem(status, "nope", "No"))
    with pytest.raises(edm.APIStatusError):
        client.helpdesk.tickets.create(title="x")
    assert len(wire.requests) == 1


def test_gives_up_after_max_retries_with_growing_backoff(
    client: edm.Client, wire: Wire, sleeps: list[float]
) -> None:
    wire.queue(*(problem(503, "service_unavailable", "Down") for _ in range(3)))
    with pytest.raises(edm.InternalServerError):
        client.helpdesk.tickets.close(TICKET_ID)
    assert len(wire.requests) == 3
    assert len(set(keys(wire))) == 1
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0


def test_max_retries_zero_sends_once(wire: Wire) -> None:
    http = httpx.Client(transport=httpx.MockTransport(wire.handle))
    wire.queue(problem(503, "service_unavailable", "Down"))
    with (
        edm.Client(BASE_URL, TOKEN, max_retries=0, http_client=http) as sdk,
        pytest.raises(edm.InternalServerError),
    ):
        sdk.helpdesk.tickets.list()
    assert len(wire.requests) == 1


def test_backoff_is_exponential_jittered_and_capped() -> None:
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, BACKOFF_CAP)]:
        assert 0.75 * ceiling <= backoff(attempt) <= ceiling


def test_patch_is_retried_without_an_idempotency_key(client: edm.Client, wire: Wire) -> None:
    wire.queue(problem(502, "bad_gateway", "Bad gateway"), httpx.Response(200, json=ticket_json()))
    client.helpdesk.tickets.update(TICKET_ID, title="Renamed")
    assert keys(wire) == [None, None]


def test_the_caller_may_choose_the_idempotency_key(client: edm.Client, wire: Wire) -> None:
    wire.queue(problem(503, "down", "Down"), created())
    client.helpdesk.tickets.create(title="x", idempotency_key="my-key-1")
    assert keys(wire) == ["my-key-1", "my-key-1"]


def test_each_call_gets_its_own_idempotency_key(client: edm.Client, wire: Wire) -> None:
    wire.queue(created(), created())
    client.helpdesk.tickets.create(title="x")
    client.helpdesk.tickets.create(title="x")
    first, second = keys(wire)
    assert first != second


@pytest.mark.anyio
async def test_async_503_then_201(
    aclient: edm.AsyncClient, wire: Wire, sleeps: list[float]
) -> None:
    wire.queue(problem(503, "down", "Down"), httpx.ConnectError("refused"), created())
    ticket = await aclient.helpdesk.tickets.create(title="Printer on fire")
    assert ticket.title == "Printer on fire"
    assert len(wire.requests) == 3
    assert len(set(keys(wire))) == 1
    assert len(sleeps) == 2


@pytest.mark.anyio
async def test_async_gives_up_on_connection_errors(aclient: edm.AsyncClient, wire: Wire) -> None:
    wire.queue(*(httpx.ConnectError("refused") for _ in range(3)))
    with pytest.raises(edm.APIConnectionError):
        await aclient.helpdesk.tickets.get(TICKET_ID)
    assert len(wire.requests) == 3
