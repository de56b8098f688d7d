"""ETag / If-Match on every record (SPEC 4, RFC 9110 section 13)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import httpx
import pytest

TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"


def create(caller):
    response = caller.post(TICKETS, json={"title": "Conditional"})
    assert response.status_code == 201
    return response.json(), response.headers["ETag"]


def test_etag_changes_on_every_write_and_matches_get(admin):
    ticket, etag = create(admin)
    path = f"{TICKETS}/{ticket['id']}"
    assert admin.get(path).headers["ETag"] == etag
    seen = {etag}
    for method, url, body in [
        ("PATCH", path, {"priority": "high"}),
        ("POST", f"{path}/close", None),
        ("POST", f"{path}/reopen", None),
        ("DELETE", path, None),
        ("POST", f"{path}/restore", None),
    ]:
        response = admin.request(method, url, json=body)
        assert response.status_code == 200
        assert response.headers["ETag"] not in seen
        seen.add(response.headers["ETag"])
    assert admin.get(path).headers["ETag"] in seen


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"priority": "high"}),
        ("DELETE", "", None),
        ("POST", "/close", None),
    ],
)
def test_stale_if_match_is_412_and_changes_nothing(admin, method, suffix, body):
    ticket, stale = create(admin)
    path = f"{TICKETS}/{ticket['id']}"
    fresh = admin.patch(path, json={"category": "moved on"}).headers["ETag"]
    response = admin.request(method, path + suffix, json=body, headers={"If-Match": stale})
    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    current = admin.get(path)
    assert current.headers["ETag"] == fresh
    assert current.json()["status"] == "open" and current.json()["priority"] == "medium"


def test_matching_if_match_and_wildcard_succeed(admin):
    ticket, etag = create(admin)
    path = f"{TICKETS}/{ticket['id']}"
    assert admin.patch(path, json={"title": "a"}, headers={"If-Match": etag}).status_code == 200
    assert admin.patch(path, json={"title": "b"}, headers={"If-Match": "*"}).status_code == 200


def test_reopen_and_restore_honour_if_match(admin):
    ticket, _ = create(admin)
    path = f"{TICKETS}/{ticket['id']}"
    closed_etag = admin.post(f"{path}/close").headers["ETag"]
    assert admin.post(f"{path}/reopen", headers={"If-Match": '"stale"'}).status_code == 412
    reopened = admin.post(f"{path}/reopen", headers={"If-Match": closed_etag})
    assert reopened.status_code == 200
    deleted_etag = admin.delete(path).headers["ETag"]
    assert admin.post(f"{path}/restore", headers={"If-Match": closed_etag}).status_code == 412
    assert admin.post(f"{path}/restore", headers={"If-Match": deleted_etag}).status_code == 200


def test_sla_policies_have_etags_too(admin):
    created = admin.post(POLICIES, json={"name": "P"})
    path = f"{POLICIES}/{created.json()['id']}"
    stale = created.headers["ETag"]
    admin.patch(path, json={"name": "Q"})
    assert admin.patch(path, json={"name": "R"}, headers={"If-Match": stale}).status_code == 412


def test_racing_writers_with_one_etag_exactly_one_wins(live_server, mint):
    server = live_server()
    token = mint(tenant_id=f"race-{uuid4().hex[:8]}", subject="racer")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        created = client.post(TICKETS, json={"title": "contended"})
        path, etag = f"{TICKETS}/{created.json()['id']}", created.headers["ETag"]

        def write(n: int) -> int:
            response = client.patch(path, json={"title": f"writer {n}"}, headers={"If-Match": etag})
            return response.status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(write, range(8)))
        assert statuses == [200] + [412] * 7
        events = client.get(f"{path}/events").json()["data"]
        assert [e["action"] for e in events] == ["create", "update"]


def test_if_match_accepts_a_list_of_etags(agent):
    created = agent.post(TICKETS, json={"title": "x"})
    path = f"{TICKETS}/{created.json()['id']}"
    header = {"If-Match": f'"other", {created.headers["ETag"]}'}
    assert agent.patch(path, json={"title": "y"}, headers=header).status_code == 200
