"""Exchanging a key for a token (SPEC 9, issue item 3): RFC 6749 §4.4 and §5.2,
EDM's own signing keys, and the token in use."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote_plus

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from platform_paths import APPLICATIONS, TICKETS, TOKEN, keys_path

from edm.server.app import create_app
from edm.server.auth import mint_token
from edm.settings import Settings


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def test_exchange_answers_a_bearer_token_with_the_applications_claims(
    settings, platform, integration, tenant
) -> None:
    application, key = integration(roles=["agent", "admin"], scopes=["helpdesk.tickets:read"])

    response = platform.exchange(application["id"], key["secret"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        3600,
        "helpdesk.tickets:read",
    )
    claims = jwt.decode(body["access_token"], settings.jwt_secret.get_secret_value(), ["HS256"])
    assert claims["sub"] == claims["app_id"] == application["id"]
    assert (claims["tenant_id"], claims["roles"]) == (tenant, ["agent", "admin"])
    assert (claims["scope"], claims["iss"], claims["key_id"]) == (
        "helpdesk.tickets:read",
        "edm",
        key["id"],
    )
    assert claims["exp"] - time.time() == pytest.approx(3600, abs=60)


def test_exchange_with_http_basic(platform, integration) -> None:
    application, key = integration()

    response = platform.http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic(application["id"], key["secret"]),
    )

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "*"


def test_exchange_may_narrow_the_scope(platform, integration) -> None:
    application, key = integration()

    narrowed = platform.exchange(application["id"], key["secret"], scope="helpdesk.tickets:read")
    assert narrowed.json()["scope"] == "helpdesk.tickets:read"
    token = narrowed.json()["access_token"]
    assert platform.bearer(token).post(TICKETS, json={"title": "x"}).status_code == 403

    scoped_app, scoped_key = integration(scopes=["helpdesk.tickets:read"])
    wider = platform.exchange(
        scoped_app["id"], scoped_key["secret"], scope="helpdesk.tickets:write"
    )
    assert (wider.status_code, wider.json()["error"]) == (400, "invalid_scope")


def test_the_token_acts_as_the_application(admin, platform, integration) -> None:
    application, key = integration()
    token = platform.exchange(application["id"], key["secret"]).json()["access_token"]
    with_token = platform.bearer(token)

    created = with_token.post(TICKETS, json={"title": "from the bridge"})

    assert created.status_code == 201
    assert created.json()["app_id"] == application["id"]
    assert created.json()["created_by"] == application["id"]
    by_key = platform.bearer(key["secret"]).get(TICKETS).json()["data"]
    assert [t["id"] for t in by_key] == [created.json()["id"]]  # the same identity, two ways
    assert admin.get(f"{TICKETS}/{created.json()['id']}").status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_id": "app_x", "client_secret": "x"}, 400, "invalid_request"),
        ({"grant_type": "password", "client_secret": "x"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, 400, "invalid_request"),
        (
            {"grant_type": "client_credentials", "client_secret": "edm_sk_nope"},
            401,
            "invalid_client",
        ),
    ],
)
def test_errors_follow_rfc_6749_section_5_2(platform, form, status, error) -> None:
    response = platform.http.post(TOKEN, data=form)

    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.headers["content-type"].startswith("application/json")
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_invalid_client_with_basic_asks_for_basic(platform, integration) -> None:
    application, _ = integration()

    response = platform.http.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers=basic(application["id"], "wrong")
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_a_form_body_is_required_and_parameters_are_not_repeated(platform) -> None:
    as_json = platform.http.post(TOKEN, json={"grant_type": "client_credentials"})
    repeated = platform.http.post(
        TOKEN,
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    assert (repeated.status_code, repeated.json()["error"]) == (400, "invalid_request")


def test_client_id_must_name_the_keys_application(platform, integration) -> None:
    application, key = integration()
    other, _ = integration()

    wrong = platform.exchange(other["id"], key["secret"])
    right = platform.exchange(application["id"], key["secret"])

    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert right.status_code == 200


def test_tokens_stop_with_their_key_and_their_application(admin, platform, integration) -> None:
    application, key = integration()
    path = f"{APPLICATIONS}/{application['id']}"
    token = platform.exchange(application["id"], key["secret"]).json()["access_token"]
    with_token = platform.bearer(token)
    assert with_token.get(TICKETS).status_code == 200

    assert admin.patch(path, json={"is_active": False}).status_code == 200
    assert with_token.get(TICKETS).status_code == 401
    assert admin.patch(path, json={"is_active": True}).status_code == 200
    assert with_token.get(TICKETS).status_code == 200

    admin.post(f"{keys_path(application['id'])}/{key['id']}/revoke")
    assert with_token.get(TICKETS).status_code == 401


@pytest.mark.parametrize(
    ("private_key", "algorithm"),
    [
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
    ],
    ids=["RS256", "ES256"],
)
def test_a_signing_key_signs_the_tokens(settings, tenant, private_key, algorithm) -> None:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    keyed = Settings(
        database_url=settings.database_url,
        jwt_secret=settings.jwt_secret,
        jwt_signing_key=pem,
        jwt_issued_by="https://edm.example",
        dev_secret_file=settings.dev_secret_file,
    )
    admin_token = mint_token(
        settings.jwt_secret.get_secret_value(), tenant_id=tenant, subject="a", roles=["admin"]
    )
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(create_app(keyed)) as http:
        app_id = http.post(APPLICATIONS, json={"name": "signed"}, headers=headers).json()["id"]
        secret = http.post(keys_path(app_id), json={}, headers=headers).json()["secret"]
        form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret}
        token = http.post(TOKEN, data=form).json()["access_token"]

        assert jwt.get_unverified_header(token)["alg"] == algorithm
        claims = jwt.decode(
            token, private_key.public_key(), [algorithm], issuer="https://edm.example"
        )
        assert claims["app_id"] == app_id
        used = http.get(TICKETS, headers={"Authorization": f"Bearer {token}"})
        assert used.status_code == 200
        # The external issuer's tokens (EDM_JWT_SECRET) keep working beside them.
        assert http.get(APPLICATIONS, headers=headers).status_code == 200


def test_a_token_signed_with_another_key_but_edms_issuer_is_refused(
    settings, platform, integration
) -> None:
    application, key = integration()
    good = platform.exchange(application["id"], key["secret"]).json()["access_token"]
    claims = jwt.decode(good, settings.jwt_secret.get_secret_value(), ["HS256"])
    forged = jwt.encode(claims, "another-secret-" + "z" * 40, algorithm="HS256")

    assert platform.bearer(forged).get(TICKETS).status_code == 401
