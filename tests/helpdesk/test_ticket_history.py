"""History: one immutable event per change, with old and new values (SPEC 7)."""

from __future__ import annotations

TICKETS = "/api/v1/helpdesk/tickets"


def history(caller, ticket_id):
    response = caller.get(f"{TICKETS}/{ticket_id}/events")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_every_change_appends_an_event_oldest_first(caller):
    admin = caller("admin", sub="boss")
    ticket = admin.post(TICKETS, json={"title": "Email bounce", "priority": "low"}).json()
    path = f"{TICKETS}/{ticket['id']}"
    admin.patch(path, json={"priority": "high", "title": "Email bounces"})
    admin.post(f"{path}/comments", json={"body": "Looking", "public": False})
    admin.post(f"{path}/close")
    admin.post(f"{path}/reopen")
    admin.delete(path)
    admin.post(f"{path}/restore")
    events = history(admin, ticket["id"])
    assert [e["action"] for e in events] == [
        "create",
        "update",
        "comment",
        "close",
        "reopen",
        "delete",
        "restore",
    ]
    assert all(e["id"].startswith("evt_") and e["ticket_id"] == ticket["id"] for e in events)
    assert all(e["actor"] == "boss" for e in events)
    create, update, note, close, reopen, delete, restore = events
    assert create["changes"]["title"] == [None, "Email bounce"]
    assert create["changes"]["number"] == [None, ticket["number"]]
    assert update["changes"] == {
        "title": ["Email bounce", "Email bounces"],
        "priority": ["low", "high"],
    }
    assert note["changes"]["public"] == [None, False]
    assert close["changes"]["status"] == ["open", "closed"]
    assert close["changes"]["resolved_at"][0] is None
    assert reopen["changes"]["status"] == ["closed", "open"]
    assert reopen["changes"]["resolved_at"][1] is None
    assert delete["changes"]["is_deleted"] == [False, True]
    assert restore["changes"]["is_deleted"] == [True, False]
    assert update["at"] == update["created_at"]


def test_failed_change_leaves_no_event(agent):
    ticket = agent.post(TICKETS, json={"title": "x"}).json()
    agent.patch(f"{TICKETS}/{ticket['id']}", json={"priority": "nope"})
    agent.post(f"{TICKETS}/{ticket['id']}/reopen")
    assert [e["action"] for e in history(agent, ticket["id"])] == ["create"]


def test_idempotent_close_adds_no_event(agent):
    ticket = agent.post(TICKETS, json={"title": "x"}).json()
    agent.post(f"{TICKETS}/{ticket['id']}/close")
    agent.post(f"{TICKETS}/{ticket['id']}/close")
    assert [e["action"] for e in history(agent, ticket["id"])] == ["create", "close"]


def test_history_is_for_staff_and_read_only(caller, agent):
    requester = caller("requester", sub="5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d")
    ticket = requester.post(TICKETS, json={"title": "x"}).json()
    assert requester.get(f"{TICKETS}/{ticket['id']}/events").status_code == 403
    events_path = f"{TICKETS}/{ticket['id']}/events"
    assert agent.post(events_path, json={"action": "create"}).status_code == 405
    event_id = history(agent, ticket["id"])[0]["id"]
    assert agent.patch(f"{events_path}/{event_id}", json={}).status_code == 404
    assert agent.delete(f"{events_path}/{event_id}").status_code == 404


def test_history_of_other_tenants_tickets_does_not_exist(caller, agent):
    ticket = agent.post(TICKETS, json={"title": "x"}).json()
    stranger = caller("admin", tenant_id="elsewhere-" + ticket["id"][-6:])
    assert stranger.get(f"{TICKETS}/{ticket['id']}/events").status_code == 404


def test_admins_can_audit_a_deleted_ticket_before_restoring_it(admin):
    ticket = admin.post(TICKETS, json={"title": "x"}).json()
    admin.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "note"})
    admin.delete(f"{TICKETS}/{ticket['id']}")
    events = admin.get(f"{TICKETS}/{ticket['id']}/events", params={"include_deleted": "true"})
    assert [e["action"] for e in events.json()["data"]] == ["create", "comment", "delete"]
    assert admin.get(f"{TICKETS}/{ticket['id']}/events").status_code == 404
