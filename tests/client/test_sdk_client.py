"""Client configuration, headers, connection handling and the package's lazy exports."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import httpx
import pytest
from sdk_fakes import BASE_URL, TOKEN, Wire, ticket_json

import edm
import edm.client


def empty_page() -> httpx.Response:
    return httpx.Response(200, json={"data": [], "has_more": False, "next_cursor": None})


def mock_http(wire: Wire) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(wire.handle))


def test_base_url_and_token_come_from_the_environment(
    wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDM_BASE_URL", "https://env.example/")
    monkeypatch.setenv("EDM_TOKEN", "env-token")
    wire.queue(empty_page())
    with edm.Client(http_client=mock_http(wire)) as sdk:
        sdk.helpdesk.tickets.list()
    assert str(wire.last.url) == "https://env.example/api/v1/helpdesk/tickets"
    assert wire.last.headers["authorization"] == "Bearer env-token"


def test_arguments_win_over_the_environment(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDM_BASE_URL", "https://env.example")
    monkeypatch.setenv("EDM_TOKEN", "env-token")
    wire.queue(empty_page())
    with edm.Client(BASE_URL, TOKEN, http_client=mock_http(wire)) as sdk:
        sdk.helpdesk.tickets.list()
    assert wire.last.url.host == "edm.test"
    assert wire.last.headers["authorization"] == f"Bearer {TOKEN}"


def test_base_url_defaults_to_the_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDM_BASE_URL", raising=False)
    with edm.Client(token=TOKEN) as sdk:
        assert sdk.base_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("client_class", [edm.Client, edm.AsyncClient])
def test_a_missing_token_fails_before_any_request(
    monkeypatch: pytest.MonkeyPatch, client_class: type[edm.Client] | type[edm.AsyncClient]
) -> None:
    monkeypatch.delenv("EDM_TOKEN", raising=False)
    with pytest.raises(edm.EDMError, match="EDM_TOKEN"):
        client_class(BASE_URL)


def test_every_request_identifies_itself(client: edm.Client, wire: Wire) -> None:
    wire.queue(empty_page())
    client.helpdesk.tickets.list()
    headers = wire.last.headers
    assert headers["user-agent"].startswith(f"edm-python/{edm.__version__} ")
    assert headers["accept"] == "application/json"
    assert headers["authorization"] == f"Bearer {TOKEN}"


def test_default_and_extra_headers(wire: Wire) -> None:
    wire.queue(empty_page(), empty_page())
    default_headers = {"X-Team": "blue", "X-Trace": "default"}
    with edm.Client(
        BASE_URL, TOKEN, default_headers=default_headers, http_client=mock_http(wire)
    ) as sdk:
        sdk.helpdesk.tickets.list(extra_headers={"X-Trace": "call"})
        sdk.helpdesk.tickets.list()
    first, second = wire.requests
    assert (first.headers["x-team"], first.headers["x-trace"]) == ("blue", "call")
    assert second.headers["x-trace"] == "default"


def test_timeouts_per_client_and_per_call(wire: Wire) -> None:
    wire.queue(empty_page(), empty_page())
    with edm.Client(BASE_URL, TOKEN, timeout=12.0, http_client=mock_http(wire)) as sdk:
        sdk.helpdesk.tickets.list()
        sdk.helpdesk.tickets.list(timeout=httpx.Timeout(3.0, connect=1.0))
    first, second = (r.extensions["timeout"] for r in wire.requests)
    assert first["read"] == 12.0
    assert (second["read"], second["connect"]) == (3.0, 1.0)


def test_one_connection_pool_serves_every_call(client: edm.Client, wire: Wire) -> None:
    wire.queue(empty_page(), httpx.Response(200, json=ticket_json()))
    http = client._requester.http
    client.helpdesk.tickets.list()
    client.helpdesk.tickets.get("TKT-0001")
    assert client._requester.http is http
    assert client.helpdesk.tickets is client.helpdesk.tickets


def test_closing_closes_only_a_pool_the_client_made() -> None:
    with edm.Client(BASE_URL, TOKEN) as own:
        pass
    assert own._requester.http.is_closed
    given = httpx.Client()
    with edm.Client(BASE_URL, TOKEN, http_client=given):
        pass
    assert not given.is_closed
    given.close()


@pytest.mark.anyio
async def test_async_client_is_an_async_context_manager() -> None:
    async with edm.AsyncClient(BASE_URL, TOKEN) as sdk:
        http = sdk._requester.http
    assert http.is_closed


def test_the_package_root_exports_the_sdk() -> None:
    assert edm.Client is edm.client.Client
    assert edm.NotFoundError is edm.client.NotFoundError
    assert edm.__version__ == importlib.metadata.version("edm")
    with pytest.raises(AttributeError):
        edm.NoSuchThing  # noqa: B018


def test_importing_the_manifest_does_not_import_httpx() -> None:
    code = "import sys, edm, edm.manifest; assert 'httpx' not in sys.modules, 'httpx imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
