"""API keys (SPEC 9, issue item 2): the secret once, its format, revoke, rotate, expiry,
and `last_used_at` to the minute without a write per request."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime, timedelta

from platform_paths import TICKETS, keys_path

from edm.platform.secrets import ALPHABET, CHECKSUM_LENGTH, PREFIX, checksum, well_formed

RESPONSE_FIELDS = {
    "id",
    "application_id",
    "name",
    "prefix",
    "last4",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
}
KEY_SHAPE = re.compile(r"edm_sk_[0-9A-Za-z]{32,}[0-9A-Za-z]{6}")


def test_create_shows_the_secret_once(admin, platform) -> None:
    app_id = platform.application()["id"]
    created = admin.post(keys_path(app_id), json={"name": "production"})

    assert created.status_code == 201
    key = created.json()
    assert RESPONSE_FIELDS | {"secret"} <= set(key)
    assert key["id"].startswith("key_") and key["application_id"] == app_id
    assert KEY_SHAPE.fullmatch(key["secret"])
    assert key["secret"].startswith(key["prefix"]) and key["secret"].endswith(key["last4"])
    assert created.headers["location"] == f"{keys_path(app_id)}/{key['id']}"

    listed = admin.get(keys_path(app_id)).json()["data"]
    fetched = admin.get(f"{keys_path(app_id)}/{key['id']}").json()
    assert [k["id"] for k in listed] == [key["id"]]
    for shown in (*listed, fetched):
        assert set(shown) >= RESPONSE_FIELDS and "secret" not in shown
        assert key["secret"] not in str(shown)


def test_a_key_is_read_under_its_own_application_only(admin, platform) -> None:
    first, second = platform.application()["id"], platform.application()["id"]
    key = platform.key(first)

    assert admin.get(f"{keys_path(second)}/{key['id']}").status_code == 404
    assert admin.post(f"{keys_path(second)}/{key['id']}/revoke").status_code == 404
    assert admin.post(f"{keys_path(second)}/{key['id']}/rotate").status_code == 404
    assert admin.get(keys_path(second)).json()["data"] == []


def test_the_checksum_is_crc32_of_the_random_part_in_fixed_width_base62() -> None:
    random_part = "a" * 40
    value = zlib.crc32(random_part.encode())
    digits = ""
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        digits = ALPHABET[digit] + digits

    assert checksum(random_part) == digits
    assert well_formed(PREFIX + random_part + digits)
    assert not well_formed(PREFIX + random_part + digits[:-1] + ("0" if digits[-1] != "0" else "1"))
    assert not well_formed(PREFIX + "a" * 39 + "b" + digits)


def test_revoked_keys_stop_at_once(admin, platform, integration) -> None:
    application, key = integration()
    with_key = platform.bearer(key["secret"])
    assert with_key.get(TICKETS).status_code == 200

    revoked = admin.post(f"{keys_path(application['id'])}/{key['id']}/revoke")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert with_key.get(TICKETS).status_code == 401
    again = admin.post(f"{keys_path(application['id'])}/{key['id']}/revoke")
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]


def test_rotation_gives_a_new_key_and_the_old_one_expires_after_the_overlap(
    admin, platform, integration
) -> None:
    application, old = integration()
    path = f"{keys_path(application['id'])}/{old['id']}"

    rotated = admin.post(f"{path}/rotate", json={"overlap_seconds": 3600})

    assert rotated.status_code == 200
    new = rotated.json()
    assert new["id"] != old["id"] and KEY_SHAPE.fullmatch(new["secret"])
    assert new["secret"] != old["secret"] and new["expires_at"] is None
    old_now = admin.get(path).json()
    expires = datetime.fromisoformat(old_now["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)
    assert platform.bearer(old["secret"]).get(TICKETS).status_code == 200  # within the overlap
    assert platform.bearer(new["secret"]).get(TICKETS).status_code == 200
    assert "secret" not in admin.get(f"{keys_path(application['id'])}/{new['id']}").json()


def test_rotation_defaults_to_a_day_and_bounds_the_overlap(admin, integration) -> None:
    application, key = integration()
    path = f"{keys_path(application['id'])}/{key['id']}"

    assert admin.post(f"{path}/rotate", json={"overlap_seconds": -1}).status_code == 422
    too_long = admin.post(f"{path}/rotate", json={"overlap_seconds": 604801})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "overlap_seconds"
    assert admin.post(f"{path}/rotate", json={"overlap": 5}).status_code == 422
    assert admin.post(f"{path}/rotate").status_code == 200
    expires = datetime.fromisoformat(admin.get(path).json()["expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(days=1)


def test_rotation_with_no_overlap_stops_the_old_key(admin, platform, integration) -> None:
    application, old = integration()
    path = f"{keys_path(application['id'])}/{old['id']}"

    new = admin.post(f"{path}/rotate", json={"overlap_seconds": 0}).json()

    assert platform.bearer(old["secret"]).get(TICKETS).status_code == 401
    assert platform.bearer(new["secret"]).get(TICKETS).status_code == 200
    assert admin.post(f"{path}/rotate").status_code == 409  # an expired key is not rotated


def test_expired_keys_stop_working(app, monkeypatch, admin, platform) -> None:
    app_id = platform.application()["id"]
    soon = datetime.now(UTC) + timedelta(minutes=5)
    key = platform.key(app_id, expires_at=soon.isoformat())
    with_key = platform.bearer(key["secret"])
    assert with_key.get(TICKETS).status_code == 200

    credentials = app.state.credentials
    monkeypatch.setattr(credentials, "clock", lambda: soon + timedelta(microseconds=1))
    credentials.forget()

    assert with_key.get(TICKETS).status_code == 401
    assert platform.exchange(app_id, key["secret"]).status_code == 401


def test_expiry_must_lie_ahead(admin, platform) -> None:
    app_id = platform.application()["id"]
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()

    response = admin.post(keys_path(app_id), json={"expires_at": past})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expires_at"
    naive = admin.post(keys_path(app_id), json={"expires_at": "2099-01-01T00:00:00"})
    assert naive.status_code == 422


def test_last_used_at_is_kept_to_the_minute_with_one_write_a_minute(
    app, monkeypatch, admin, platform, integration
) -> None:
    application, key = integration()
    path = f"{keys_path(application['id'])}/{key['id']}"
    with_key = platform.bearer(key["secret"])
    credentials = app.state.credentials
    writes: list[datetime] = []
    touch = credentials.store.touch

    async def counted_touch(credential, minute):
        writes.append(minute)
        await touch(credential, minute)

    monkeypatch.setattr(credentials.store, "touch", counted_touch)
    now = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    monkeypatch.setattr(credentials, "clock", lambda: now)

    for _ in range(5):
        credentials.forget()  # every request a fresh lookup, as on many replicas
        assert with_key.get(TICKETS).status_code == 200
    assert admin.get(path).json()["last_used_at"] == "2030-05-06T07:08:00.000000Z"
    assert len(writes) == 1

    now += timedelta(minutes=1)
    credentials.forget()
    assert with_key.get(TICKETS).status_code == 200
    assert admin.get(path).json()["last_used_at"] == "2030-05-06T07:09:00.000000Z"
    assert len(writes) == 2
