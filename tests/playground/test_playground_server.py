"""The playground's HTTP side: page, assets, CSP, config and the dev token endpoint.

The shared `http` app has a configured `jwt_secret` (production mode); the
development-mode app is built here with a dev secret file instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from edm.server.playground import STATIC_DIR
from edm.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

DEV_TOKEN = "/api/v1/dev/token"
DEV_SECRET = "dev-secret-" + "y" * 40
ASSETS = sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file())


def _csp_directives(header: str) -> dict[str, str]:
    pairs = (d.strip().partition(" ") for d in header.split(";") if d.strip())
    return {name: value for name, _, value in pairs}


@pytest.fixture(scope="module")
def dev_http(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app in development mode: no configured key, a local dev secret."""
    from edm.server.app import create_app

    secret_file = Path(tmp_path_factory.mktemp("dev")) / "dev-secret"
    secret_file.write_text(DEV_SECRET + "\n")
    settings = Settings(database_url=database_url, dev_secret_file=secret_file)
    assert settings.dev_mode
    # As a browser on this machine would call it: the endpoint refuses remote callers.
    with TestClient(
        create_app(settings),
        base_url="http://127.0.0.1",
        client=("127.0.0.1", 50000),
        raise_server_exceptions=False,
    ) as client:
        yield client


def test_page_is_html_under_a_strict_csp(http: TestClient) -> None:
    response = http.get("/playground")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Loading manifest…" in response.text
    csp = _csp_directives(response.headers["content-security-policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("name", ASSETS)
def test_every_asset_is_served_under_the_same_csp(http: TestClient, name: str) -> None:
    response = http.get(f"/playground/assets/{name}")
    assert response.status_code == 200
    assert response.content == (STATIC_DIR / name).read_bytes()
    page_csp = http.get("/playground").headers["content-security-policy"]
    assert response.headers["content-security-policy"] == page_csp


def test_page_references_only_local_assets(http: TestClient) -> None:
    html = http.get("/playground").text
    assert "http://" not in html and "https://" not in html
    assert "<style" not in html and "style=" not in html
    assert "<script>" not in html


def test_dev_token_endpoint_is_absent_with_a_configured_secret(http: TestClient) -> None:
    response = http.post(DEV_TOKEN, json={"tenant_id": "acme", "sub": "alice"})
    assert response.status_code == 404
    assert http.get("/playground/config.json").json()["dev_mode"] is False


def test_config_reports_development_mode(dev_http: TestClient) -> None:
    assert dev_http.get("/playground/config.json").json()["dev_mode"] is True


def test_dev_token_authenticates_api_calls(dev_http: TestClient) -> None:
    minted = dev_http.post(DEV_TOKEN, json={"tenant_id": "dev-acme", "sub": "alice"})
    assert minted.status_code == 200
    headers = {"Authorization": f"Bearer {minted.json()['token']}"}
    created = dev_http.post("/api/v1/helpdesk/tickets", json={"title": "Hi"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["tenant_id"] == "dev-acme"
    assert created.json()["created_by"] == "alice"


def test_dev_token_carries_the_requested_roles(dev_http: TestClient) -> None:
    minted = dev_http.post(
        DEV_TOKEN, json={"tenant_id": "dev-roles", "sub": "req", "roles": ["requester"]}
    ).json()
    claims = jwt.decode(minted["token"], DEV_SECRET, algorithms=["HS256"])
    assert (claims["tenant_id"], claims["sub"], claims["roles"]) == (
        "dev-roles",
        "req",
        ["requester"],
    )
    assert claims["exp"] - claims["iat"] == minted["expires_in"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tenant_id": "acme"}, "sub"),
        ({"tenant_id": " acme", "sub": "alice"}, "tenant_id"),
        ({"tenant_id": "acme", "sub": "alice", "roles": ["root"]}, "roles[0]"),
        ({"tenant_id": "acme", "sub": "alice", "app_id": "x"}, "app_id"),
    ],
)
def test_dev_token_rejects_bad_claims_naming_the_field(
    dev_http: TestClient, body: dict[str, Any], field: str
) -> None:
    response = dev_http.post(DEV_TOKEN, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_playground_routes_stay_out_of_the_openapi_document(dev_http: TestClient) -> None:
    paths = dev_http.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/playground", DEV_TOKEN))]


@pytest.mark.parametrize(
    ("base_url", "client"),
    [
        ("http://127.0.0.1", ("203.0.113.7", 40000)),  # a remote caller
        ("http://evil.example.com", ("127.0.0.1", 40000)),  # a DNS-rebound page
        ("http://127.evil.example", ("127.0.0.1", 40000)),  # a name that looks local
        ("http://127.0.0.1.nip.io", ("127.0.0.1", 40000)),  # a name resolving to loopback
        ("http://localhost.evil.example:8000", ("127.0.0.1", 40000)),
        ("http://127.0.0.1", ("127.evil.example", 40000)),  # not an address at all
    ],
)
def test_dev_tokens_are_refused_to_remote_callers_and_foreign_host_names(
    dev_http: TestClient, base_url: str, client: tuple[str, int]
) -> None:
    body = {"tenant_id": "victim", "sub": "mallory", "roles": ["admin"]}
    with TestClient(dev_http.app, base_url=base_url, client=client) as remote:
        response = remote.post(DEV_TOKEN, json=body)
    assert response.status_code == 403
    assert "token" not in response.json()


@pytest.mark.parametrize(
    ("base_url", "client"),
    [
        ("http://localhost:8000", ("127.0.0.1", 40000)),
        ("http://127.0.0.1:8000", ("127.0.0.1", 40000)),
        ("http://127.1.2.3", ("127.1.2.3", 40000)),
        ("http://[::1]:8000", ("::1", 40000)),
    ],
)
def test_dev_tokens_are_minted_for_literal_loopback_names(
    dev_http: TestClient, base_url: str, client: tuple[str, int]
) -> None:
    with TestClient(dev_http.app, base_url=base_url, client=client) as local:
        response = local.post(DEV_TOKEN, json={"tenant_id": "dev-local", "sub": "alice"})
    assert response.status_code == 200, response.text
    assert response.json()["token"]
