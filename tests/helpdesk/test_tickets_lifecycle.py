"""Ticket create/get/update/close/reopen/delete/restore over HTTP (SPEC 4-5)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from edm.manifest import resource

TICKETS = "/api/v1/helpdesk/tickets"
TICKET = resource("tickets")
RFC3339_MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def create(caller, **fields):
    response = caller.post(TICKETS, json={"title": "Printer on fire", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_every_manifest_field_with_server_stamps(caller, tenant):
    alice = caller("agent", sub="alice")
    response = alice.post(TICKETS, json={"title": "  VPN down  "})
    assert response.status_code == 201
    ticket = response.json()
    assert list(ticket) == [f.name for f in TICKET.fields]
    assert re.fullmatch(r"tkt_[0-9A-HJKMNP-TV-Z]{26}", ticket["id"])
    assert response.headers["Location"] == f"{TICKETS}/{ticket['id']}"
    assert response.headers["ETag"]
    assert ticket["title"] == "VPN down"
    assert ticket["tenant_id"] == tenant
    assert ticket["app_id"] is None
    assert ticket["created_by"] == ticket["updated_by"] == ticket["submitted_by_id"] == "alice"
    assert (ticket["source"], ticket["source_type"]) == ("edm", "api")
    assert (ticket["type"], ticket["status"], ticket["priority"]) == ("incident", "open", "medium")
    assert ticket["is_deleted"] is False and ticket["schema_version"] == 1
    assert ticket["tags"] == []
    assert RFC3339_MICROS.match(ticket["created_at"])
    assert ticket["created_at"] == ticket["updated_at"]


def test_numbers_are_sequential_per_tenant(caller):
    first_tenant = caller("agent", tenant_id="numbers-a-" + caller("agent").token[-8:])
    numbers = [create(first_tenant)["number"] for _ in range(3)]
    assert numbers == ["TKT-0001", "TKT-0002", "TKT-0003"]
    other = caller("agent", tenant_id="numbers-b-" + caller("agent").token[-8:])
    assert create(other)["number"] == "TKT-0001"


def test_get_by_id_and_by_number(agent):
    ticket = create(agent)
    for key in (ticket["id"], ticket["number"], ticket["number"].lower()):
        response = agent.get(f"{TICKETS}/{key}")
        assert response.status_code == 200
        assert response.json()["id"] == ticket["id"]


def test_submitted_by_defaults_to_caller_but_agents_may_set_it(agent):
    on_behalf = "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10"
    assert create(agent, submitted_by_id=on_behalf)["submitted_by_id"] == on_behalf


def test_update_is_partial_and_null_clears(caller):
    alice, bob = caller("agent", sub="alice"), caller("agent", sub="bob")
    ticket = create(alice, category="Network", description="It hums")
    response = bob.patch(f"{TICKETS}/{ticket['id']}", json={"category": None, "priority": "high"})
    assert response.status_code == 200
    updated = response.json()
    assert updated["category"] is None
    assert updated["priority"] == "high"
    assert updated["description"] == "It hums"
    assert updated["updated_by"] == "bob" and updated["created_by"] == "alice"
    assert updated["updated_at"] > ticket["updated_at"]
    assert response.headers["ETag"] != ticket.get("etag")


def test_null_on_a_required_field_is_rejected(agent):
    ticket = create(agent)
    response = agent.patch(f"{TICKETS}/{ticket['id']}", json={"title": None, "status": None})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "status"}


def test_resolved_at_follows_the_status(agent):
    ticket = create(agent)
    path = f"{TICKETS}/{ticket['id']}"
    resolved = agent.patch(path, json={"status": "resolved"}).json()
    assert resolved["resolved_at"] is not None
    closed = agent.post(f"{path}/close").json()
    assert closed["status"] == "closed"
    assert closed["resolved_at"] == resolved["resolved_at"]
    reopened = agent.post(f"{path}/reopen").json()
    assert (reopened["status"], reopened["resolved_at"]) == ("open", None)


def test_close_stamps_resolved_at_when_unset_and_is_idempotent(agent):
    ticket = create(agent, status="in_progress")
    closed = agent.post(f"{TICKETS}/{ticket['id']}/close")
    assert closed.status_code == 200
    assert closed.json()["resolved_at"] is not None
    again = agent.post(f"{TICKETS}/{ticket['id']}/close")
    assert again.status_code == 200
    assert again.json() == closed.json()
    assert again.headers["ETag"] == closed.headers["ETag"]


def test_closed_ticket_refuses_updates_until_reopened(agent):
    ticket = create(agent)
    path = f"{TICKETS}/{ticket['id']}"
    agent.post(f"{path}/close")
    refused = agent.patch(path, json={"title": "changed"})
    assert refused.status_code == 409
    assert agent.get(path).json()["title"] == "Printer on fire"
    agent.post(f"{path}/reopen")
    assert agent.patch(path, json={"title": "changed"}).json()["title"] == "changed"


@pytest.mark.parametrize("status", ["open", "in_progress", "pending"])
def test_only_resolved_or_closed_tickets_reopen(agent, status):
    ticket = create(agent, status=status)
    response = agent.post(f"{TICKETS}/{ticket['id']}/reopen")
    assert response.status_code == 409
    assert agent.get(f"{TICKETS}/{ticket['id']}").json()["status"] == status


def test_created_resolved_ticket_is_stamped(agent):
    assert create(agent, status="resolved")["resolved_at"] is not None


def test_soft_delete_and_restore(admin):
    ticket = create(admin)
    path = f"{TICKETS}/{ticket['id']}"
    deleted = admin.delete(path)
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["is_deleted"] is True and body["deleted_by"] == "admin-1"
    assert RFC3339_MICROS.match(body["deleted_at"])
    assert admin.get(path).status_code == 404
    assert admin.patch(path, json={"title": "x"}).status_code == 404
    assert ticket["id"] not in [t["id"] for t in admin.get(TICKETS).json()["data"]]
    assert admin.get(f"{path}?include_deleted=true").status_code == 200
    listed = admin.get(f"{TICKETS}?include_deleted=true").json()["data"]
    assert ticket["id"] in [t["id"] for t in listed]
    restored = admin.post(f"{path}/restore")
    assert restored.status_code == 200
    body = restored.json()
    assert (body["is_deleted"], body["deleted_at"], body["deleted_by"]) == (False, None, None)
    assert body["number"] == ticket["number"]
    assert admin.get(path).status_code == 200


def test_restore_of_a_live_ticket_conflicts(admin):
    ticket = create(admin)
    assert admin.post(f"{TICKETS}/{ticket['id']}/restore").status_code == 409


@pytest.mark.parametrize("role", ["agent", "requester"])
def test_delete_and_restore_are_admin_only(caller, role):
    person = caller(role, sub="someone")
    ticket = create(person)
    path = f"{TICKETS}/{ticket['id']}"
    assert person.delete(path).status_code == 403
    assert person.get(path).json()["is_deleted"] is False
    caller("admin").delete(path)
    assert person.post(f"{path}/restore").status_code in (403, 404)


def test_timestamps_parse_as_utc(agent):
    ticket = create(agent)
    created = datetime.fromisoformat(ticket["created_at"])
    assert created.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "   "}, "title", "too_short"),
        ({"title": "x" * 201}, "title", "too_long"),
        ({"title": 42}, "title", "invalid_type"),
        ({"description": "d" * 65537}, "description", "too_long"),
        ({"category": "c" * 101}, "category", "too_long"),
        ({"type": "outage"}, "type", "invalid_choice"),
        ({"status": "done"}, "status", "invalid_choice"),
        ({"priority": "critical"}, "priority", "invalid_choice"),
        ({"source_type": "cli"}, "source_type", "invalid_choice"),
        ({"assigned_to_id": "bob"}, "assigned_to_id", "invalid_reference"),
        ({"team_id": "tkt_123"}, "team_id", "invalid_reference"),
        ({"tags": ["a", "a"]}, "tags", "duplicate_items"),
        ({"tags": [f"t{i}" for i in range(51)]}, "tags", "too_many_items"),
        ({"tags": ["x" * 65]}, "tags[0]", "too_long"),
        ({"tags": [""]}, "tags[0]", "too_short"),
        ({"tags": "urgent"}, "tags", "invalid_type"),
        ({"description": "nul\x00byte"}, "description", "nul_byte"),
        ({"title": "nul\x00"}, "title", "nul_byte"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_written(agent, fields, field, code):
    response = agent.post(TICKETS, json={"title": "ok", **fields})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
    ]
    assert agent.get(TICKETS).json()["data"] == []


def test_missing_title_is_required(agent):
    response = agent.post(TICKETS, json={"priority": "low"})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "title",
        "code": "required",
        "message": "Field required",
    }


def test_references_accept_uuids_and_edm_ids(agent):
    ticket = create(
        agent,
        assigned_to_id="0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10",
        team_id="grp_01JD0000000000000000000000",
    )
    assert ticket["team_id"] == "grp_01JD0000000000000000000000"


def test_failed_update_changes_nothing(agent):
    ticket = create(agent, priority="low")
    response = agent.patch(f"{TICKETS}/{ticket['id']}", json={"priority": "high", "type": "x"})
    assert response.status_code == 422
    assert agent.get(f"{TICKETS}/{ticket['id']}").json()["priority"] == "low"


def test_a_long_subject_can_submit_tickets(caller):
    person = caller("agent", sub="s" * 200)
    assert person.post(TICKETS, json={"title": "x"}).json()["submitted_by_id"] == "s" * 200


def test_references_with_a_trailing_newline_are_rejected(agent):
    response = agent.post(
        TICKETS, json={"title": "x", "team_id": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10\n"}
    )
    assert response.status_code == 422


def test_a_patch_that_changes_nothing_writes_nothing(agent):
    created = agent.post(TICKETS, json={"title": "same", "priority": "low"})
    path = f"{TICKETS}/{created.json()['id']}"
    response = agent.patch(path, json={"title": "same", "priority": "low"})
    assert response.status_code == 200
    assert response.headers["ETag"] == created.headers["ETag"]
    assert [e["action"] for e in agent.get(f"{path}/events").json()["data"]] == ["create"]
    agent.post(f"{path}/close")
    assert agent.patch(path, json={"title": "same"}).status_code == 409
