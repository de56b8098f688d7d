"""Bearer-token authentication over HTTP (SPEC section 3, issue 2 item 4).

Every `/api/v1` route except the manifest needs `Authorization: Bearer <JWT>`;
anything missing, malformed, forged, expired or lacking `sub`/`tenant_id` is a
401 problem with `WWW-Authenticate: Bearer`. The accepted algorithm comes from
the server's configuration (HS256 secret, or an RSA / EC public key), never
from the token's header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from edm.manifest import RESOURCES, Operation, Resource, manifest_json, resource
from edm.server.app import create_app
from edm.server.auth import ConfigurationError, TokenVerifier
from edm.settings import Settings

TICKETS = resource("tickets").path
MISSING = object()  # marks a claim to leave out of a token
LEEWAY_S = 30
AUDIENCE = "edm-api"
ISSUER = "https://id.example.com/"


# -- token building -------------------------------------------------------------


def claims(tenant: str, **overrides: Any) -> dict[str, Any]:
    """A valid claim set for `tenant`, with `overrides` applied (MISSING drops one)."""
    now = int(time.time())
    base: dict[str, Any] = {"sub": "user-1", "tenant_id": tenant, "iat": now, "exp": now + 600}
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not MISSING}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())


def raw_hs256(payload: dict[str, Any], key: bytes) -> str:
    """HS256 by hand: PyJWT refuses to use a PEM key as an HMAC secret, an attacker does not."""
    signing_input = _segments({"alg": "HS256", "typ": "JWT"}, payload)
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def unsigned(payload: dict[str, Any], alg: str = "none") -> str:
    """An `alg: none` token: header, payload and an empty signature."""
    return _segments({"alg": alg, "typ": "JWT"}, payload) + "."


def with_payload_of(token: str, payload: dict[str, Any]) -> str:
    """`token`'s header and signature around another payload (a forged token)."""
    header, _, signature = token.split(".")
    return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def secret(settings: Settings) -> str:
    assert settings.jwt_secret is not None
    return settings.jwt_secret.get_secret_value()


@pytest.fixture
def hs256(secret: str, tenant: str) -> Callable[..., str]:
    """`hs256(**overrides)` -> a token signed with the server's secret."""

    def make(**overrides: Any) -> str:
        return jwt.encode(claims(tenant, **overrides), secret, algorithm="HS256")

    return make


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


# -- which routes need a token --------------------------------------------------


def concrete_path(res: Resource, op: Operation) -> str:
    """The operation's path with every path parameter filled with a well-formed, unknown id."""
    return re.sub(r"\{[^}]+\}", f"{res.id_prefix}_{'0' * 26}", res.path + op.path_suffix)


ALL_OPERATIONS = [
    pytest.param(res, op, id=f"{res.name}-{op.name}") for res in RESOURCES for op in res.operations
]


def test_manifest_is_served_without_a_token(http: TestClient) -> None:
    response = http.get("/api/v1/manifest")

    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(manifest_json()))


@pytest.mark.parametrize(("res", "op"), ALL_OPERATIONS)
def test_every_resource_operation_needs_a_token(
    http: TestClient, res: Resource, op: Operation
) -> None:
    """401 before anything else: not 404 for the unknown id, not 4xx for the empty body."""
    assert_unauthorized(http.request(op.method, concrete_path(res, op)))


# -- HS256 tokens that must be refused ----------------------------------------

HeaderMaker = Callable[[str, str], dict[str, str]]  # (secret, tenant) -> request headers

BAD_AUTHORIZATION: list[Any] = [
    pytest.param(lambda s, t: {}, id="missing-header"),
    pytest.param(lambda s, t: {"Authorization": ""}, id="empty-header"),
    pytest.param(lambda s, t: {"Authorization": "Bearer"}, id="scheme-only"),
    pytest.param(lambda s, t: {"Authorization": "Bearer    "}, id="blank-token"),
    pytest.param(
        lambda s, t: {"Authorization": "Basic " + _b64(b"user:password")}, id="basic-scheme"
    ),
    pytest.param(
        lambda s, t: {"Authorization": "Token " + jwt.encode(claims(t), s, algorithm="HS256")},
        id="token-scheme",
    ),
    pytest.param(
        lambda s, t: {"Authorization": jwt.encode(claims(t), s, algorithm="HS256")},
        id="no-scheme",
    ),
    pytest.param(lambda s, t: bearer("not-a-jwt"), id="garbage"),
    pytest.param(lambda s, t: bearer("a.b.c"), id="garbage-three-parts"),
    pytest.param(
        lambda s, t: bearer(
            with_payload_of(
                jwt.encode(claims(t), s, algorithm="HS256"), claims(t, sub="someone-else")
            )
        ),
        id="payload-swapped-under-signature",
    ),
    pytest.param(
        lambda s, t: bearer(jwt.encode(claims(t), s + "-other", algorithm="HS256")),
        id="signed-with-another-secret",
    ),
    pytest.param(lambda s, t: bearer(unsigned(claims(t))), id="alg-none"),
    pytest.param(lambda s, t: bearer(unsigned(claims(t), "None")), id="alg-None"),
    pytest.param(lambda s, t: bearer(unsigned(claims(t), "NONE")), id="alg-NONE"),
    pytest.param(
        lambda s, t: bearer(jwt.encode(claims(t), s, algorithm="HS512")),
        id="hs512-with-the-right-secret",
        marks=pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
    ),
]


@pytest.mark.parametrize("make_headers", BAD_AUTHORIZATION)
def test_bad_authorization_is_401(
    http: TestClient, secret: str, tenant: str, make_headers: HeaderMaker
) -> None:
    assert_unauthorized(http.get(TICKETS, headers=make_headers(secret, tenant)))


BAD_CLAIMS: list[Any] = [
    pytest.param({"exp": MISSING}, id="no-exp"),
    pytest.param({"exp": int(time.time()) - LEEWAY_S - 600}, id="expired-beyond-leeway"),
    pytest.param({"exp": "tomorrow"}, id="exp-not-a-number"),
    pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
    pytest.param({"sub": MISSING}, id="no-sub"),
    pytest.param({"sub": ""}, id="empty-sub"),
    pytest.param({"sub": None}, id="null-sub"),
    pytest.param({"sub": 42}, id="integer-sub"),
    pytest.param({"sub": ["user-1"]}, id="list-sub"),
    pytest.param({"tenant_id": MISSING}, id="no-tenant"),
    pytest.param({"tenant_id": ""}, id="empty-tenant"),
    pytest.param({"tenant_id": None}, id="null-tenant"),
    pytest.param({"tenant_id": 42}, id="integer-tenant"),
    pytest.param({"tenant_id": {"id": "t"}}, id="object-tenant"),
    pytest.param({"tenant_id": "t" * 300}, id="tenant-longer-than-stored"),
    pytest.param({"tenant_id": "tenant\x00x"}, id="nul-in-tenant"),
    pytest.param({"sub": "u" * 300}, id="sub-longer-than-stored"),
    pytest.param({"sub": "user\x00"}, id="nul-in-sub"),
    pytest.param({"app_id": ""}, id="empty-app"),
    pytest.param({"app_id": 7}, id="integer-app"),
    pytest.param({"roles": "admin"}, id="roles-a-string"),
    pytest.param({"roles": {"admin": True}}, id="roles-an-object"),
    pytest.param({"roles": [1, 2]}, id="roles-not-strings"),
]


@pytest.mark.parametrize("overrides", BAD_CLAIMS)
def test_bad_claims_are_401(
    http: TestClient, hs256: Callable[..., str], overrides: dict[str, Any]
) -> None:
    assert_unauthorized(http.get(TICKETS, headers=bearer(hs256(**overrides))))


def test_token_expired_within_the_leeway_is_accepted(
    http: TestClient, hs256: Callable[..., str]
) -> None:
    token = hs256(exp=int(time.time()) - LEEWAY_S // 3)

    assert http.get(TICKETS, headers=bearer(token)).status_code == 200


def test_scheme_name_is_case_insensitive(http: TestClient, hs256: Callable[..., str]) -> None:
    response = http.get(TICKETS, headers={"Authorization": f"bearer {hs256()}"})

    assert response.status_code == 200


# -- roles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "roles", [["superuser"], ["owner", "root"], []], ids=["one-unknown", "all-unknown", "empty"]
)
def test_token_granting_no_known_role_is_403(
    http: TestClient, hs256: Callable[..., str], roles: list[str]
) -> None:
    response = http.get(TICKETS, headers=bearer(hs256(roles=roles)))

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_roles_beside_a_known_one_are_ignored(
    http: TestClient, hs256: Callable[..., str]
) -> None:
    response = http.get(TICKETS, headers=bearer(hs256(roles=["agent", "superuser"])))

    assert response.status_code == 200


def test_token_without_roles_acts_as_an_agent(http: TestClient, hs256: Callable[..., str]) -> None:
    """Absent `roles` means `["agent"]`: works tickets, but may not delete (admin only)."""
    headers = bearer(hs256())
    created = http.post(TICKETS, headers=headers, json={"title": "Printer on fire"})
    assert created.status_code == 201

    response = http.delete(f"{TICKETS}/{created.json()['id']}", headers=headers)

    assert response.status_code == 403


def test_identity_claims_are_stamped_on_created_records(
    http: TestClient, hs256: Callable[..., str], tenant: str
) -> None:
    token = hs256(sub="person-7", app_id="app-crm")

    ticket = http.post(TICKETS, headers=bearer(token), json={"title": "VPN down"}).json()

    stamped = {name: ticket[name] for name in ("tenant_id", "app_id", "created_by", "updated_by")}
    assert stamped == {
        "tenant_id": tenant,
        "app_id": "app-crm",
        "created_by": "person-7",
        "updated_by": "person-7",
    }


# -- RS256 / ES256 through EDM_JWT_PUBLIC_KEY -------------------------------------

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KEY_MAKERS: dict[str, Callable[[], PrivateKey]] = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
}
ASYMMETRIC = sorted(KEY_MAKERS)


def other_algorithm(algorithm: str) -> str:
    return next(a for a in ASYMMETRIC if a != algorithm)


def signed_by_fresh_key(payload: dict[str, Any], algorithm: str) -> str:
    """A well-formed `algorithm` token signed by a key no server knows."""
    return jwt.encode(payload, KEY_MAKERS[algorithm](), algorithm=algorithm)


def public_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass(frozen=True)
class KeyedServer:
    """An app verifying tokens with the public half of `private_key`."""

    client: TestClient
    algorithm: str
    private_key: PrivateKey

    @property
    def pem(self) -> str:
        return public_pem(self.private_key)

    def sign(self, payload: dict[str, Any]) -> str:
        return jwt.encode(payload, self.private_key, algorithm=self.algorithm)


ServerFactory = Callable[..., KeyedServer]


@pytest.fixture(scope="module")
def keyed_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerFactory]:
    """`keyed_server("RS256", audience=..., issuer=...)`: one app per configuration."""
    built: dict[tuple[str, str | None, str | None], KeyedServer] = {}
    with ExitStack() as stack:

        def get(
            algorithm: str, *, audience: str | None = None, issuer: str | None = None
        ) -> KeyedServer:
            config = (algorithm, audience, issuer)
            if config not in built:
                private_key = KEY_MAKERS[algorithm]()
                settings = Settings(
                    database_url=database_url,
                    jwt_secret=None,
                    jwt_public_key=public_pem(private_key),
                    jwt_audience=audience,
                    jwt_issuer=issuer,
                    dev_secret_file=tmp_path_factory.mktemp("keyed") / "dev-secret",
                )
                client = TestClient(create_app(settings), raise_server_exceptions=False)
                built[config] = KeyedServer(stack.enter_context(client), algorithm, private_key)
            return built[config]

        yield get


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_asymmetric_token_is_accepted(
    keyed_server: ServerFactory, tenant: str, algorithm: str
) -> None:
    server = keyed_server(algorithm)
    headers = bearer(server.sign(claims(tenant, sub="person-9")))

    created = server.client.post(TICKETS, headers=headers, json={"title": "Laptop"})
    listed = server.client.get(TICKETS, headers=headers)

    assert created.status_code == 201
    assert (created.json()["tenant_id"], created.json()["created_by"]) == (tenant, "person-9")
    assert [t["id"] for t in listed.json()["data"]] == [created.json()["id"]]


ForeignToken = Callable[[KeyedServer, dict[str, Any]], str]

FOREIGN_TOKENS: list[Any] = [
    pytest.param(lambda s, p: raw_hs256(p, s.pem.encode()), id="hs256-with-the-pem-as-secret"),
    pytest.param(
        lambda s, p: raw_hs256(p, s.pem.strip().encode()), id="hs256-with-the-stripped-pem"
    ),
    pytest.param(
        lambda s, p: jwt.encode(p, "some-shared-secret-" + "x" * 32, algorithm="HS256"),
        id="hs256-with-a-secret",
    ),
    pytest.param(lambda s, p: signed_by_fresh_key(p, s.algorithm), id="signed-by-another-key"),
    pytest.param(
        lambda s, p: signed_by_fresh_key(p, other_algorithm(s.algorithm)),
        id="the-other-asymmetric-algorithm",
    ),
    pytest.param(lambda s, p: unsigned(p), id="alg-none"),
    pytest.param(lambda s, p: with_payload_of(s.sign(p), {**p, "sub": "admin"}), id="forged"),
]


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
@pytest.mark.parametrize("make_token", FOREIGN_TOKENS)
def test_asymmetric_server_refuses_tokens_not_signed_by_its_key(
    keyed_server: ServerFactory, tenant: str, algorithm: str, make_token: ForeignToken
) -> None:
    server = keyed_server(algorithm)
    token = make_token(server, claims(tenant))

    assert_unauthorized(server.client.get(TICKETS, headers=bearer(token)))


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_hs256_server_refuses_asymmetric_tokens(
    http: TestClient, tenant: str, algorithm: str
) -> None:
    token = signed_by_fresh_key(claims(tenant), algorithm)

    assert_unauthorized(http.get(TICKETS, headers=bearer(token)))


AUDIENCE_CASES: list[Any] = [
    pytest.param({"aud": AUDIENCE, "iss": ISSUER}, 200, id="both-match"),
    pytest.param({"aud": ["other-api", AUDIENCE], "iss": ISSUER}, 200, id="audience-in-a-list"),
    pytest.param({"aud": "other-api", "iss": ISSUER}, 401, id="wrong-audience"),
    pytest.param({"iss": ISSUER}, 401, id="no-audience"),
    pytest.param({"aud": AUDIENCE, "iss": "https://evil.example.com/"}, 401, id="wrong-issuer"),
    pytest.param({"aud": AUDIENCE}, 401, id="no-issuer"),
]


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
@pytest.mark.parametrize(("extra_claims", "status"), AUDIENCE_CASES)
def test_audience_and_issuer_are_enforced_when_configured(
    keyed_server: ServerFactory,
    tenant: str,
    algorithm: str,
    extra_claims: dict[str, Any],
    status: int,
) -> None:
    server = keyed_server(algorithm, audience=AUDIENCE, issuer=ISSUER)
    token = server.sign(claims(tenant, **extra_claims))

    response = server.client.get(TICKETS, headers=bearer(token))

    assert response.status_code == status
    if status == 401:
        assert_unauthorized(response)


def test_an_empty_jwt_secret_is_refused_at_start(tmp_path: Path) -> None:
    settings = Settings(jwt_secret="", dev_secret_file=tmp_path / "unused")
    with pytest.raises(ConfigurationError):
        TokenVerifier(settings)


def test_a_short_jwt_secret_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    TokenVerifier(Settings(jwt_secret="short", dev_secret_file=tmp_path / "unused"))
    assert "shorter than 32 bytes" in caplog.text
