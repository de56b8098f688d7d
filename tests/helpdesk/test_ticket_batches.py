"""Batch create and update of tickets (SPEC 11)."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from edm.manifest import resource
from edm.server.app import create_app
from edm.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

TICKETS = "/api/v1/helpdesk/tickets"
BATCH = f"{TICKETS}/batch"
MAX_ITEMS = resource("tickets").operation("batch_create").max_items


def batch(caller, items, **flags):
    return caller.post(BATCH, json={"items": items, **flags})


def results(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def events_of(caller, ticket_id):
    response = caller.get(f"{TICKETS}/{ticket_id}/events")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_mixed_batch_answers_each_item_in_order_and_numbers_the_created(agent):
    items = [
        {"title": "first", "priority": "high"},
        {"title": ""},
        {"title": "second", "number": "TKT-9"},
        {"title": "third", "tags": ["a", "b"]},
    ]
    data = results(batch(agent, items))
    assert [d["status"] for d in data] == [201, 422, 422, 201]
    assert [d["data"]["title"] for d in data if d["status"] == 201] == ["first", "third"]
    assert [d["data"]["number"] for d in data if d["status"] == 201] == ["TKT-0001", "TKT-0002"]
    assert data[1]["error"]["errors"][0]["field"] == "title"
    assert data[2]["error"]["errors"][0] == {
        "field": "number",
        "code": "read_only",
        "message": "'number' is set by the server and cannot be written",
    }
    assert data[1]["error"]["status"] == 422 and data[1]["error"]["request_id"]
    listed = agent.get(TICKETS).json()["data"]
    assert sorted(t["title"] for t in listed) == ["first", "third"]
    created = data[0]["data"]
    assert agent.get(f"{TICKETS}/{created['id']}").json() == created


def test_each_created_ticket_has_its_own_create_event_like_a_single_create(agent):
    single = agent.post(TICKETS, json={"title": "alone", "tags": ["x"]}).json()
    data = results(batch(agent, [{"title": "together", "tags": ["x"]}, {"title": "too"}]))
    single_events = events_of(agent, single["id"])
    for item in data:
        (event,) = events_of(agent, item["data"]["id"])
        assert event["action"] == "create"
        assert event["changes"]["number"] == [None, item["data"]["number"]]
        assert event["changes"]["title"] == [None, item["data"]["title"]]
    (alone,) = single_events
    batched = events_of(agent, data[0]["data"]["id"])[0]
    assert set(batched["changes"]) == set(alone["changes"])


def test_atomic_batch_with_an_invalid_item_writes_nothing_and_names_items(agent):
    items = [{"title": "fine"}, {"title": "bad", "priority": "extreme"}, {"titel": "typo"}]
    response = batch(agent, items, atomic=True)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"items[1].priority", "items[2].titel", "items[2].title"} <= fields
    assert agent.get(TICKETS).json()["data"] == []
    ok = results(batch(agent, [{"title": "a"}, {"title": "b"}], atomic=True))
    assert [d["data"]["number"] for d in ok] == ["TKT-0001", "TKT-0002"]


def test_atomic_batch_failing_on_a_domain_rule_writes_nothing(admin):
    unknown_policy = "sla_" + "0" * 26
    response = batch(
        admin, [{"title": "a"}, {"title": "b", "sla_policy": unknown_policy}], atomic=True
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items[1].sla_policy"
    assert admin.get(TICKETS).json()["data"] == []


def test_batch_size_is_bounded(agent):
    too_many = batch(agent, [{"title": "x"}] * (MAX_ITEMS + 1))
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "items"
    assert batch(agent, []).status_code == 422
    assert agent.post(BATCH, json={"items": [{"title": "x"}], "extra": 1}).status_code == 422
    assert agent.post(BATCH, json={"items": [{"title": "x"}], "atomic": "yes"}).status_code == 422
    not_objects = agent.post(BATCH, json={"items": [{"title": "x"}, "y", [1]]})
    assert not_objects.status_code == 422
    assert [e["field"] for e in not_objects.json()["errors"]] == ["items[1]", "items[2]"]


def test_a_full_batch_of_the_limit_is_created(agent):
    data = results(batch(agent, [{"title": f"t{i}"} for i in range(MAX_ITEMS)]))
    numbers = [d["data"]["number"] for d in data]
    assert numbers == [f"TKT-{n:04d}" for n in range(1, MAX_ITEMS + 1)]


def own_app(settings: Settings, mint, **changes):
    """A server of its own with `changes` to the settings, and a caller's headers."""
    app = create_app(settings.model_copy(update=changes))
    token = mint(tenant_id=f"t-{uuid4().hex[:8]}", subject="s")
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def test_batch_body_has_its_own_limit(settings, mint):
    client, headers = own_app(settings, mint, max_body_bytes=2000, max_batch_body_bytes=20_000)
    with client:
        items = [{"title": "x" * 100} for _ in range(50)]  # over the ordinary limit
        assert client.post(BATCH, json={"items": items}, headers=headers).status_code == 200
        single = {"title": "x" * 150, "description": "y" * 3000}
        assert client.post(TICKETS, json=single, headers=headers).status_code == 413
        big = [{"title": "x" * 150} for _ in range(150)]
        response = client.post(BATCH, json={"items": big}, headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"


def test_idempotency_key_covers_the_whole_batch(agent):
    key = {"Idempotency-Key": f"batch-{uuid4()}"}
    body = {"items": [{"title": "one"}, {"title": ""}, {"title": "two"}]}
    first = agent.post(BATCH, json=body, headers=key)
    replay = agent.post(BATCH, json=body, headers=key)
    assert first.status_code == replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(agent.get(TICKETS).json()["data"]) == 2
    other = agent.post(BATCH, json={"items": [{"title": "three"}]}, headers=key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "key_reused"


def test_requester_limits_apply_per_item(caller):
    requester = caller("requester", sub="req-1")
    data = results(batch(requester, [{"title": "mine"}, {"title": "x", "team_id": str(uuid4())}]))
    assert [d["status"] for d in data] == [201, 403]
    assert data[0]["data"]["submitted_by_id"] == "req-1"
    assert data[1]["error"]["errors"][0]["field"] == "team_id"


def test_batches_beside_single_creates_number_gapless(live_server, mint):
    server = live_server()
    tenant = f"race-{uuid4().hex[:8]}"
    headers = {"Authorization": "Bearer " + mint(tenant_id=tenant, subject="racer")}
    sizes = [37, 1, 50, 13, 64, 20]

    def send(index: int) -> list[str]:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            numbers = []
            for round_ in range(3):
                if index % 2:
                    response = client.post(TICKETS, json={"title": f"s{index}-{round_}"})
                    assert response.status_code == 201, response.text
                    numbers.append(response.json()["number"])
                    continue
                items = [{"title": f"b{index}-{round_}-{i}"} for i in range(sizes[index])]
                response = client.post(BATCH, json={"items": items})
                assert response.status_code == 200, response.text
                got = [d["data"]["number"] for d in response.json()["data"]]
                assert got == sorted(got, key=lambda n: int(n[4:]))
                numbers += got
            return numbers

    with ThreadPoolExecutor(len(sizes)) as pool:
        acknowledged = [n for numbers in pool.map(send, range(len(sizes))) for n in numbers]
    total = len(acknowledged)
    assert sorted(acknowledged, key=lambda n: int(n[4:])) == [
        f"TKT-{n:04d}" for n in range(1, total + 1)
    ]
    assert len(set(acknowledged)) == total


def test_each_item_counts_against_the_rate_limit(settings, mint):
    client, headers = own_app(settings, mint, rate_limit_requests=10)
    with client:
        response = client.post(BATCH, json={"items": [{"title": "x"}] * 6}, headers=headers)
        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == "4"
        refused = client.post(BATCH, json={"items": [{"title": "x"}] * 5}, headers=headers)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        fits = client.post(BATCH, json={"items": [{"title": "x"}] * 4}, headers=headers)
        assert fits.status_code == 200, "a refused batch is not charged"
        assert client.post(TICKETS, json={"title": "y"}, headers=headers).status_code == 429


# -- batch update --------------------------------------------------------------


def test_batch_update_follows_every_rule_of_a_single_update(agent, caller):
    a, b, c, d = (t["data"] for t in results(batch(agent, [{"title": t} for t in "abcd"])))
    assert agent.post(f"{TICKETS}/{c['id']}/close").status_code == 200
    stale = agent.get(f"{TICKETS}/{d['id']}").headers["ETag"]
    assert agent.patch(f"{TICKETS}/{d['id']}", json={"priority": "low"}).status_code == 200
    fresh = agent.get(f"{TICKETS}/{b['id']}").headers["ETag"]
    other_tenant = caller("agent", tenant_id=f"other-{uuid4().hex[:6]}")
    foreign = other_tenant.post(TICKETS, json={"title": "theirs"}).json()
    items = [
        {"id": a["id"], "changes": {"priority": "urgent"}},
        {"id": b["number"], "if_match": fresh, "changes": {"status": "resolved"}},
        {"id": c["id"], "changes": {"title": "closed one"}},
        {"id": d["id"], "if_match": stale, "changes": {"title": "stale"}},
        {"id": foreign["id"], "changes": {"title": "not mine"}},
        {"id": a["id"], "changes": {"number": "TKT-1"}},
        {"id": a["id"]},
    ]
    data = results(agent.patch(BATCH, json={"items": items}))
    assert [x["status"] for x in data] == [200, 200, 409, 412, 404, 422, 422]
    assert data[0]["data"]["priority"] == "urgent"
    assert data[1]["data"]["resolved_at"] is not None
    assert data[2]["error"]["code"] == "ticket_closed"
    assert [e["action"] for e in events_of(agent, a["id"])] == ["create", "update"]
    assert other_tenant.get(f"{TICKETS}/{foreign['id']}").json()["title"] == "theirs"


def test_batch_update_that_changes_nothing_writes_nothing(agent):
    (ticket,) = (t["data"] for t in results(batch(agent, [{"title": "same"}])))
    item = {"id": ticket["id"], "changes": {"title": "same"}}
    data = results(agent.patch(BATCH, json={"items": [item]}))
    assert data[0]["data"]["updated_at"] == ticket["updated_at"]
    assert len(events_of(agent, ticket["id"])) == 1


def test_atomic_batch_update_is_all_or_nothing(agent):
    a, b = (t["data"] for t in results(batch(agent, [{"title": "a"}, {"title": "b"}])))
    items = [
        {"id": a["id"], "changes": {"priority": "urgent"}},
        {"id": b["id"], "if_match": '"stale"', "changes": {"priority": "low"}},
    ]
    response = agent.patch(BATCH, json={"items": items, "atomic": True})
    assert response.status_code == 412
    assert response.json()["detail"].startswith("items[1]:")
    assert agent.get(f"{TICKETS}/{a['id']}").json()["priority"] == "medium"
    assert len(events_of(agent, a["id"])) == 1


def test_requester_batch_update_is_limited_to_its_fields_and_tickets(caller, agent):
    requester = caller("requester", sub="req-2")
    (mine,) = (t["data"] for t in results(batch(requester, [{"title": "mine"}])))
    theirs = agent.post(TICKETS, json={"title": "theirs"}).json()
    items = [
        {"id": mine["id"], "changes": {"title": "renamed"}},
        {"id": mine["id"], "changes": {"priority": "urgent"}},
        {"id": theirs["id"], "changes": {"title": "nope"}},
    ]
    data = results(requester.patch(BATCH, json={"items": items}))
    assert [x["status"] for x in data] == [200, 403, 404]


# -- preserve_timestamps -------------------------------------------------------


def stamp(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")


def test_only_admins_preserve_timestamps(agent):
    response = batch(agent, [{"title": "x", "created_at": stamp(3)}], preserve_timestamps=True)
    assert response.status_code == 403


def test_without_preserve_timestamps_stamps_are_read_only(admin):
    data = results(batch(admin, [{"title": "x", "created_at": stamp(3)}]))
    assert data[0]["status"] == 422
    assert data[0]["error"]["errors"][0]["code"] == "read_only"


def test_imported_history_keeps_its_timestamps_and_computes_due_at(admin):
    targets = {"high": {"first_response_minutes": 60, "resolution_minutes": 240}}
    body = {"name": "std", "is_default": True, "targets": targets}
    policy = admin.post("/api/v1/helpdesk/sla_policies", json=body).json()
    created, responded, resolved, updated = stamp(10), stamp(9.9), stamp(9), stamp(8)
    span = {"created_at": created, "updated_at": updated}
    items = [
        {"title": "old", "priority": "high", "status": "resolved", **span}
        | {"first_response_at": responded, "resolved_at": resolved},
        {"title": "closed", "status": "closed", **span},
        {"title": "waiting", "status": "pending", **span},
    ]
    data = results(batch(admin, items, preserve_timestamps=True))
    old, closed, waiting = (d["data"] for d in data)
    assert (old["created_at"], old["updated_at"]) == (created, updated)
    assert (old["first_response_at"], old["resolved_at"]) == (responded, resolved)
    assert old["sla_policy"] == policy["id"]
    due = datetime.fromisoformat(created) + timedelta(minutes=240)
    assert datetime.fromisoformat(old["due_at"]) == due
    assert old["number"] == "TKT-0001"
    assert closed["resolved_at"] == updated
    assert waiting["resolved_at"] is None
    (event,) = events_of(admin, old["id"])
    assert event["at"] == created


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"created_at": stamp(-1)}, "created_at"),
        ({"created_at": stamp(2), "updated_at": stamp(3)}, "updated_at"),
        ({"status": "open", "created_at": stamp(3), "resolved_at": stamp(2)}, "resolved_at"),
        ({"status": "resolved", "created_at": stamp(3), "resolved_at": stamp(4)}, "resolved_at"),
        ({"created_at": stamp(3), "first_response_at": stamp(4)}, "first_response_at"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2026-01-01T00:00:00"}, "created_at"),
    ],
)
def test_inconsistent_imported_timestamps_are_refused(admin, item, field):
    response = batch(admin, [{"title": "x", **item}], atomic=True, preserve_timestamps=True)
    assert response.status_code == 422, response.text
    assert f"items[0].{field}" in {e["field"] for e in response.json()["errors"]}


def test_a_key_no_ticket_can_have_is_that_items_404(agent):
    """A NUL byte or an overlong id is answered as the item's 404 before any
    lookup (PostgreSQL refuses NUL in text: it was a 500)."""
    items = [
        {"id": "tkt_\x00", "changes": {"priority": "low"}},
        {"id": "x" * 1000, "changes": {"priority": "low"}},
    ]
    assert [r["status"] for r in results(agent.patch(BATCH, json={"items": items}))] == [404, 404]
