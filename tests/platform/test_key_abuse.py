"""Bad keys and where a secret must never be (SPEC 9, issue item 7): one 401 for
every bad key, noise refused offline, and no secret in logs, errors, replays or
the database."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest
from platform_paths import APPLICATIONS, TICKETS, keys_path
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from edm.errors import Unauthorized
from edm.platform.secrets import NewKey, digest
from edm.server.api_keys import Credentials
from edm.server.auth import TokenVerifier
from edm.store.credentials import CredentialStore
from edm.store.database import Database, build_engine

UNREACHABLE_DATABASE = "postgresql://127.0.0.1:1/nowhere"


def _without_request_id(response) -> dict:
    body = dict(response.json())
    body.pop("request_id")
    return body


def test_every_bad_key_gets_the_same_401(admin, platform, integration) -> None:
    revoked_app, revoked = integration()
    admin.post(f"{keys_path(revoked_app['id'])}/{revoked['id']}/revoke")
    inactive_app, inactive = integration()
    admin.patch(f"{APPLICATIONS}/{inactive_app['id']}", json={"is_active": False})
    deleted_app, deleted = integration()
    admin.delete(f"{APPLICATIONS}/{deleted_app['id']}")
    rotated_app, rotated = integration()
    admin.post(
        f"{keys_path(rotated_app['id'])}/{rotated['id']}/rotate", json={"overlap_seconds": 0}
    )
    good = integration()[1]["secret"]
    bad_checksum = good[:-1] + ("A" if good[-1] != "A" else "B")
    candidates = {
        "unknown": NewKey.generate().secret,
        "bad checksum": bad_checksum,
        "truncated": good[:-3],
        "not base62": good[:20] + "-" + good[21:],
        "revoked": revoked["secret"],
        "expired": rotated["secret"],
        "inactive application": inactive["secret"],
        "deleted application": deleted["secret"],
    }

    answers = {name: platform.bearer(secret).get(TICKETS) for name, secret in candidates.items()}

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(candidates, 401)
    bodies = {str(_without_request_id(r)) for r in answers.values()}
    assert len(bodies) == 1, bodies
    assert all(
        r.headers["www-authenticate"] == 'Bearer error="invalid_token"' for r in answers.values()
    )
    exchanges = {
        name: platform.exchange(deleted_app["id"], secret).json()
        for name, secret in candidates.items()
    }
    assert {str(body) for body in exchanges.values()} == {
        str({"error": "invalid_client", "error_description": "Client authentication failed"})
    }
    assert platform.bearer(good).get(TICKETS).status_code == 200


def test_a_key_with_a_bad_checksum_is_refused_without_a_database(settings) -> None:
    """The store's database is unreachable: only a lookup could fail on it."""
    db = Database(UNREACHABLE_DATABASE, event_loop=True)
    credentials = Credentials(TokenVerifier(settings), CredentialStore(db))
    real = NewKey.generate().secret
    noise = real[:-1] + ("A" if real[-1] != "A" else "B")

    async def attempt(secret: str) -> BaseException:
        try:
            await credentials.key(secret)
        except Exception as exc:
            return exc
        raise AssertionError("a key was accepted")

    async def both() -> tuple[BaseException, BaseException]:
        try:
            return await attempt(noise), await attempt(real)
        finally:
            await db.aclose()

    refused, looked_up = asyncio.run(both())

    assert isinstance(refused, Unauthorized)
    assert isinstance(looked_up, DBAPIError)  # it reached for the database


def test_secrets_appear_in_no_log_error_or_replay(
    admin, platform, caplog: pytest.LogCaptureFixture
) -> None:
    app_id = platform.application()["id"]
    with caplog.at_level(logging.DEBUG):
        first = admin.post(keys_path(app_id), json={}, headers={"Idempotency-Key": "k1"})
        secret = first.json()["secret"]
        replay = admin.post(keys_path(app_id), json={}, headers={"Idempotency-Key": "k1"})
        platform.bearer(secret).get(TICKETS)
        platform.bearer(secret + "x").get(TICKETS)
        platform.exchange(app_id, secret)
        platform.exchange("app_wrong", secret)
        rotated = admin.post(f"{keys_path(app_id)}/{first.json()['id']}/rotate").json()

    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and "secret" not in replay.json()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for shown in (secret, rotated["secret"]):
        assert shown[7:] not in logged
        assert shown[7:] not in platform.bearer(shown + "x").get(TICKETS).text


def _secrets(admin, platform, integration) -> list[str]:
    application, key = integration()
    path = f"{keys_path(application['id'])}/{key['id']}"
    platform.bearer(key["secret"]).post(TICKETS, json={"title": "used"})
    platform.exchange(application["id"], key["secret"])
    rotated = admin.post(f"{path}/rotate", headers={"Idempotency-Key": "rotate-1"}).json()
    return [key["secret"], rotated["secret"]]


def test_the_sqlite_file_holds_no_secret(database_url, admin, platform, integration) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite file")
    secrets = _secrets(admin, platform, integration)
    path = Path(make_url(database_url).database or "")
    files = [str(p) for p in path.parent.glob(path.name + "*") if p.is_file()]

    for secret in secrets:
        assert _in_files(digest(secret), files)  # the file (and its log) holds the keys
        assert not _in_files(secret[7:], files)


def _in_files(text: str, files: list[str]) -> bool:
    """Whether any of `files` holds `text`, read by another process: closing a file
    descriptor of the database in this one would drop SQLite's locks on it."""
    found = subprocess.run(["grep", "-aqF", text, *files], check=False)
    assert found.returncode in (0, 1), found
    return found.returncode == 0


def test_postgresql_rows_hold_no_secret(database_url, admin, platform, integration) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's rows")
    secrets = _secrets(admin, platform, integration)
    engine = build_engine(database_url)  # the login role: every tenant's rows
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()

            def rows(table: str, part: str) -> int:
                return int(
                    conn.execute(
                        text(f'SELECT count(*) FROM "{table}" AS t WHERE t::text LIKE :pattern'),
                        {"pattern": f"%{part}%"},
                    ).scalar_one()
                )

            found = {
                (table, n): rows(table, s[7:]) for table in tables for n, s in enumerate(secrets)
            }
            hashed = [rows("keys", digest(secret)) for secret in secrets]
    finally:
        engine.dispose()
    assert hashed == [1, 1]  # every tenant's rows are read
    assert set(found.values()) == {0}, found
