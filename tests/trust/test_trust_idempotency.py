"""Idempotency-Key on POST (SPEC 4; Stripe's semantics)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from edm.store.idempotency import IdempotencyStore

TICKETS = "/api/v1/helpdesk/tickets"


def post(caller, key, body, path=TICKETS):
    return caller.post(path, json=body, headers={"Idempotency-Key": key})


def count(caller):
    return len(caller.get(TICKETS, params={"limit": 200}).json()["data"])


def test_replay_returns_the_first_response(agent):
    first = post(agent, "k-1", {"title": "Once"})
    replay = post(agent, "k-1", {"title": "Once"})
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert replay.json() == first.json()
    assert replay.headers["Location"] == first.headers["Location"]
    assert replay.headers["ETag"] == first.headers["ETag"]
    assert count(agent) == 1


def test_same_key_other_body_is_422(agent):
    post(agent, "k-2", {"title": "Once"})
    response = post(agent, "k-2", {"title": "Twice"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "key_reused"
    assert count(agent) == 1


def test_errors_are_replayed_too(agent):
    first = post(agent, "k-3", {"title": ""})
    replay = post(agent, "k-3", {"title": ""})
    assert first.status_code == replay.status_code == 422
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["errors"] == first.json()["errors"]


def test_actions_are_idempotent(agent):
    ticket = agent.post(TICKETS, json={"title": "x"}).json()
    path = f"{TICKETS}/{ticket['id']}/close"
    first = post(agent, "close-1", None, path)
    agent.post(f"{TICKETS}/{ticket['id']}/reopen")
    replay = post(agent, "close-1", None, path)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert agent.get(f"{TICKETS}/{ticket['id']}").json()["status"] == "open"


def test_keys_are_scoped_to_tenant_app_and_subject(caller):
    people = [
        caller("agent", sub="alice"),
        caller("agent", sub="bob"),
        caller("agent", sub="alice", app="app-1"),
        caller("agent", sub="alice", tenant_id="other-" + uuid4().hex[:8]),
    ]
    numbers = [post(p, "shared-key", {"title": "Mine"}).json()["id"] for p in people]
    assert len(set(numbers)) == len(people)


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_malformed_keys_are_400(agent, key):
    assert post(agent, key, {"title": "x"}).status_code == 400
    assert count(agent) == 0


def test_concurrent_replays_never_create_a_second_record(live_server, mint):
    server = live_server()
    token = mint(tenant_id=f"idem-{uuid4().hex[:8]}", subject="racer")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "racing"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:

        def create(_: int) -> httpx.Response:
            return client.post(TICKETS, json={"title": "race"})

        with ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(create, range(12)))
        statuses = {r.status_code for r in responses}
        assert statuses <= {201, 409}
        created = {r.json()["id"] for r in responses if r.status_code == 201}
        assert len(created) == 1
        listed = client.get(TICKETS).json()["data"]
        assert [t["id"] for t in listed] == list(created)


def test_keys_expire_after_24_hours(agent, monkeypatch):
    first = post(agent, "k-old", {"title": "Yesterday"})
    later = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    monkeypatch.setattr("edm.server.idempotency.utcnow", lambda: later)
    again = post(agent, "k-old", {"title": "Yesterday"})
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]


def test_the_record_and_its_stored_response_commit_together(agent, monkeypatch):
    """If storing the response fails, the write rolls back too: a retry runs once more
    and leaves exactly one record (never a ticket without its stored response)."""
    original = IdempotencyStore.complete_in
    calls = {"n": 0}

    def fail_first(self, conn, principal, key, response):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("UPDATE idempotency_keys", {}, Exception("connection lost"))
        return original(self, conn, principal, key, response)

    monkeypatch.setattr(IdempotencyStore, "complete_in", fail_first)
    failed = post(agent, "k-atomic", {"title": "Exactly once"})
    assert failed.status_code == 503
    assert count(agent) == 0
    retried = post(agent, "k-atomic", {"title": "Exactly once"})
    assert retried.status_code == 201
    replay = post(agent, "k-atomic", {"title": "Exactly once"})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == retried.json()
    assert count(agent) == 1
