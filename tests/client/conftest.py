"""SDK fixtures: clients wired to a scripted server (`wire`) that never really sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sdk_fakes import BASE_URL, TOKEN, Wire

import edm


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def sleeps() -> list[float]:
    """The delays the client waited between attempts (it does not really wait)."""
    return []


@pytest.fixture
def client(wire: Wire, sleeps: list[float]) -> Iterator[edm.Client]:
    http = httpx.Client(transport=httpx.MockTransport(wire.handle))
    with edm.Client(BASE_URL, TOKEN, http_client=http) as sdk:
        sdk._requester.sleep = sleeps.append
        yield sdk
    http.close()


@pytest.fixture
async def aclient(wire: Wire, sleeps: list[float]) -> AsyncIterator[edm.AsyncClient]:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(wire.handle))
    async with edm.AsyncClient(BASE_URL, TOKEN, http_client=http) as sdk:
        sdk._requester.sleep = fake_sleep
        yield sdk
    await http.aclose()
