"""Tenancy, integration apps and roles (SPEC 3): out of scope means 404."""

from __future__ import annotations

import pytest

TICKETS = "/api/v1/helpdesk/tickets"


def create(caller, **fields):
    response = caller.post(TICKETS, json={"title": "Screen flickers", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def every_operation(path):
    """(method, path, body) for each ticket operation on one record."""
    return [
        ("GET", path, None),
        ("PATCH", path, {"title": "hijacked"}),
        ("POST", f"{path}/close", None),
        ("POST", f"{path}/reopen", None),
        ("DELETE", path, None),
        ("POST", f"{path}/restore", None),
    ]


def assert_invisible(intruder, owner, ticket):
    for key in (ticket["id"], ticket["number"]):
        for method, path, body in every_operation(f"{TICKETS}/{key}"):
            response = intruder.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
    assert ticket["id"] not in [t["id"] for t in intruder.get(TICKETS).json()["data"]]
    after = owner.get(f"{TICKETS}/{ticket['id']}").json()
    assert after == ticket


@pytest.mark.parametrize("role", ["requester", "agent", "admin"])
def test_other_tenants_records_do_not_exist(caller, role):
    owner = caller("agent")
    ticket = create(owner)
    intruder = caller(role, tenant_id="another-tenant-" + ticket["id"][-6:])
    assert_invisible(intruder, owner, ticket)


def test_integration_app_stamps_and_sees_only_its_records(caller):
    human = caller("agent")
    mine = caller("agent", app="app-crm")
    theirs = caller("admin", app="app-erp")
    human_ticket = create(human)
    app_ticket = create(mine)
    assert app_ticket["app_id"] == "app-crm"
    assert human_ticket["app_id"] is None
    listed = [t["id"] for t in mine.get(TICKETS).json()["data"]]
    assert listed == [app_ticket["id"]]
    assert mine.get(f"{TICKETS}/{human_ticket['id']}").status_code == 404
    assert_invisible(theirs, mine, app_ticket)
    human_view = {t["id"] for t in human.get(TICKETS).json()["data"]}
    assert human_view == {human_ticket["id"], app_ticket["id"]}


def test_requester_sees_only_what_they_submitted(caller):
    agent = caller("agent")
    alice = caller("requester", sub="alice")
    bob = caller("requester", sub="bob")
    alices = create(alice)
    create(agent, submitted_by_id="0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10")
    assert [t["id"] for t in alice.get(TICKETS).json()["data"]] == [alices["id"]]
    assert_invisible(bob, alice, alices)


def test_agent_filed_on_behalf_of_requester_is_visible_to_them(caller):
    agent = caller("agent")
    carol_id = "5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d"
    carol = caller("requester", sub=carol_id)
    ticket = create(agent, submitted_by_id=carol_id)
    assert carol.get(f"{TICKETS}/{ticket['id']}").status_code == 200


@pytest.mark.parametrize("field", ["assigned_to_id", "team_id", "sla_policy", "submitted_by_id"])
def test_requester_may_not_create_with_staff_fields(caller, field):
    alice = caller("requester", sub="alice")
    response = alice.post(
        TICKETS, json={"title": "x", field: "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == field
    assert alice.get(TICKETS).json()["data"] == []


def test_requester_may_create_with_everything_else(caller):
    alice = caller("requester", sub="alice")
    ticket = create(
        alice,
        priority="high",
        type="service_request",
        tags=["laptop"],
        category="Hardware",
        description="Please",
    )
    assert ticket["submitted_by_id"] == "alice"


@pytest.mark.parametrize(
    ("changes", "allowed"),
    [
        ({"title": "Better title"}, True),
        ({"description": "more"}, True),
        ({"category": "Access"}, True),
        ({"tags": ["a"]}, True),
        ({"priority": "urgent"}, False),
        ({"status": "resolved"}, False),
        ({"type": "change"}, False),
        ({"assigned_to_id": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10"}, False),
    ],
)
def test_requester_updates_only_title_description_category_tags(caller, changes, allowed):
    alice = caller("requester", sub="alice")
    ticket = create(alice)
    response = alice.patch(f"{TICKETS}/{ticket['id']}", json=changes)
    assert response.status_code == (200 if allowed else 403)
    current = alice.get(f"{TICKETS}/{ticket['id']}").json()
    field, value = next(iter(changes.items()))
    assert (current[field] == value) is allowed


def test_requester_closes_and_reopens_own_ticket(caller):
    alice = caller("requester", sub="alice")
    ticket = create(alice)
    assert alice.post(f"{TICKETS}/{ticket['id']}/close").json()["status"] == "closed"
    assert alice.post(f"{TICKETS}/{ticket['id']}/reopen").json()["status"] == "open"


def test_token_without_roles_is_an_agent(caller):
    default = caller(None, sub="someone")
    create(caller("agent"), submitted_by_id="0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10")
    assert len(default.get(TICKETS).json()["data"]) == 1


def test_requesters_never_see_deleted_tickets(caller):
    """SPEC 4: `include_deleted` is ignored for requesters; staff still see the record."""
    alice = caller("requester", sub="alice")
    ticket = create(alice)
    alice.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "still broken"})
    admin = caller("admin")
    assert admin.delete(f"{TICKETS}/{ticket['id']}").status_code == 200
    deleted = {"include_deleted": "true"}

    listed = alice.get(TICKETS, params=deleted)
    assert listed.status_code == 200
    assert ticket["id"] not in [t["id"] for t in listed.json()["data"]]
    for key in (ticket["id"], ticket["number"]):
        assert alice.get(f"{TICKETS}/{key}", params=deleted).status_code == 404
        assert alice.get(f"{TICKETS}/{key}/comments", params=deleted).status_code == 404

    for staff in (caller("agent"), admin):
        assert ticket["id"] in [t["id"] for t in staff.get(TICKETS, params=deleted).json()["data"]]
        seen = staff.get(f"{TICKETS}/{ticket['number']}", params=deleted)
        assert seen.status_code == 200
        assert seen.json()["deleted_by"] is not None
        comments = staff.get(f"{TICKETS}/{ticket['id']}/comments", params=deleted)
        assert [c["body"] for c in comments.json()["data"]] == ["still broken"]
        assert staff.get(f"{TICKETS}/{ticket['id']}/events", params=deleted).status_code == 200


def test_requester_patching_a_foreign_ticket_with_staff_fields_gets_404(caller):
    ticket = caller("agent").post(TICKETS, json={"title": "x"}).json()
    requester = caller("requester", sub="5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d")
    response = requester.patch(f"{TICKETS}/{ticket['id']}", json={"team_id": None})
    assert response.status_code == 404
