"""Cursors are keyed with a server secret and their positions checked (SPEC 4, signed values).

Nothing public keys a cursor: with `EDM_JWT_PUBLIC_KEY` set, a cursor signed
with a key derived from that public key is refused. A cursor the server's
own codec signed still carries a position that is checked against the
order field's type and range: a bad one is a `400` naming `cursor`, never a
`500` from the database or the driver.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from edm.server.app import create_app
from edm.server.auth import ConfigurationError
from edm.server.signing import cursor_key
from edm.settings import Settings
from edm.store.cursor import CursorCodec, CursorScope

TICKETS = "/api/v1/helpdesk/tickets"
A_TICKET_ID = "tkt_01JD0000000000000000000000"
LATE = "2026-01-01T00:00:00.000000+00:00"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_bad_cursor(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def public_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rs256_http(
    database_url: str, public_pem: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        jwt_secret=None,
        jwt_public_key=public_pem,
        dev_secret_file=tmp_path_factory.mktemp("rs256") / "dev-secret",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_a_cursor_keyed_with_the_public_key_is_refused(
    rs256_http: TestClient, rsa_key: rsa.RSAPrivateKey, public_pem: str, tenant: str
) -> None:
    token = jwt.encode(
        {"sub": "mallory", "tenant_id": tenant, "exp": 2**31 - 1}, rsa_key, algorithm="RS256"
    )
    for _ in range(2):
        assert (
            rs256_http.post(TICKETS, headers=bearer(token), json={"title": "T"}).status_code == 201
        )
    listed = rs256_http.get(TICKETS, headers=bearer(token), params={"limit": 1}).json()
    assert listed["next_cursor"]  # the server's own cursor works
    public_key = hashlib.sha256(b"edm-cursor:" + public_pem.encode()).digest()
    forged = CursorCodec(public_key).encode(
        CursorScope(tenant, None, "-created_at"), [LATE, A_TICKET_ID]
    )

    response = rs256_http.get(TICKETS, headers=bearer(token), params={"cursor": forged})

    assert_bad_cursor(response)


HOSTILE_POSITIONS: list[Any] = [
    pytest.param("-created_at", ["2026-01-01T00:00:00", A_TICKET_ID], id="naive-datetime"),
    pytest.param("-created_at", ["0001-01-01T00:00:00+14:00", A_TICKET_ID], id="before-year-1"),
    pytest.param("-created_at", ["yesterday", A_TICKET_ID], id="not-a-datetime"),
    pytest.param("-created_at", [2**63, A_TICKET_ID], id="created-at-2-63"),
    pytest.param("-created_at", [None, A_TICKET_ID], id="created-at-null"),
    pytest.param("-created_at", [LATE, 2**63], id="id-2-63"),
    pytest.param("-created_at", [LATE, "tkt_" + "0" * 100], id="id-too-long"),
    pytest.param("-created_at", [LATE, "tkt_\x00"], id="id-nul"),
    pytest.param("-created_at", [LATE, A_TICKET_ID, 3], id="three-values"),
    pytest.param("priority", [2**63, A_TICKET_ID], id="priority-2-63"),
    pytest.param("priority", [2**31, A_TICKET_ID], id="priority-beyond-integer"),
    pytest.param("priority", ["urgent", A_TICKET_ID], id="priority-a-string"),
    pytest.param("priority", [True, A_TICKET_ID], id="priority-a-boolean"),
    pytest.param("-number", [2**63, A_TICKET_ID], id="number-2-63"),
    pytest.param("-number", [1.5, A_TICKET_ID], id="number-a-float"),
    pytest.param("due_at", [{"at": LATE}, A_TICKET_ID], id="due-at-an-object"),
]


@pytest.mark.parametrize(("order", "position"), HOSTILE_POSITIONS)
def test_a_signed_cursor_with_a_hostile_position_is_400(
    http: TestClient,
    settings: Settings,
    mint: Any,
    tenant: str,
    order: str,
    position: list[Any],
) -> None:
    codec = CursorCodec(cursor_key(settings))  # the key the session's server signs with
    cursor = codec.encode(CursorScope(tenant, None, order), position)

    response = http.get(
        TICKETS,
        headers=bearer(mint(tenant_id=tenant, subject="mallory")),
        params={"order": order, "cursor": cursor},
    )

    assert_bad_cursor(response)


@pytest.mark.parametrize(
    ("order", "position"),
    [
        ("-created_at", [LATE, A_TICKET_ID]),
        ("priority", [2, A_TICKET_ID]),
        ("due_at", [None, A_TICKET_ID]),
    ],
)
def test_a_signed_cursor_with_a_position_in_range_is_served(
    http: TestClient, settings: Settings, mint: Any, tenant: str, order: str, position: list[Any]
) -> None:
    cursor = CursorCodec(cursor_key(settings)).encode(CursorScope(tenant, None, order), position)

    response = http.get(
        TICKETS,
        headers=bearer(mint(tenant_id=tenant, subject="alice")),
        params={"order": order, "cursor": cursor},
    )

    assert response.status_code == 200, response.text


def test_a_generated_server_secret_is_kept_owner_only_and_reused(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url, jwt_secret="j" * 40, dev_secret_file=tmp_path / "dev-secret"
    )

    first = cursor_key(settings)

    assert cursor_key(settings) == first
    kept = settings.server_secret_file
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p != kept]  # no draft left behind


def test_replicas_configured_with_one_secret_accept_each_others_cursors(
    database_url: str, tmp_path: Path
) -> None:
    replicas = [
        Settings(
            database_url=database_url,
            jwt_secret="j" * 40,
            server_secret="s" * 40,
            dev_secret_file=tmp_path / name / "dev-secret",
        )
        for name in ("a", "b")
    ]

    assert cursor_key(replicas[0]) == cursor_key(replicas[1])
    assert not (tmp_path / "a").exists()  # nothing generated when one is configured


def test_a_short_server_secret_is_refused(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=database_url,
        jwt_secret="j" * 40,
        server_secret="short",
        dev_secret_file=tmp_path / "dev-secret",
    )

    with pytest.raises(ConfigurationError, match="EDM_SERVER_SECRET"):
        create_app(settings)
