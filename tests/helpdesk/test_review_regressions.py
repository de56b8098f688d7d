"""Regressions for bugs found in review: each failed before its fix."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from edm.server.app import create_app
from edm.server.auth import ConfigurationError, TokenVerifier
from edm.settings import Settings

TICKETS = "/api/v1/helpdesk/tickets"
POLICIES = "/api/v1/helpdesk/sla_policies"


def test_a_long_pending_pause_can_end(admin, clock):
    """The paused microseconds of hours-long pauses overflowed a 32-bit column."""
    sla = admin.post(
        POLICIES,
        json={
            "name": "P",
            "targets": {"medium": {"first_response_minutes": 5, "resolution_minutes": 60}},
        },
    ).json()["id"]
    ticket = admin.post(TICKETS, json={"title": "x", "sla_policy": sla}).json()
    admin.patch(f"{TICKETS}/{ticket['id']}", json={"status": "pending"})
    clock.advance(hours=3)
    resumed = admin.patch(f"{TICKETS}/{ticket['id']}", json={"status": "open"})
    assert resumed.status_code == 200
    assert resumed.json()["due_at"] > ticket["due_at"]


def test_a_long_subject_can_submit_tickets(caller):
    person = caller("agent", sub="s" * 200)
    assert person.post(TICKETS, json={"title": "x"}).json()["submitted_by_id"] == "s" * 200


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "²"),
        ("limit", "\u0661\u0660"),  # Arabic-Indic "10"
        ("created_after", "0001-01-01T00:00:00+01:00"),
        ("due_before", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_hostile_list_parameters_are_400(agent, name, value):
    response = agent.get(TICKETS, params={name: value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == name


def test_references_with_a_trailing_newline_are_rejected(agent):
    response = agent.post(
        TICKETS, json={"title": "x", "team_id": "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10\n"}
    )
    assert response.status_code == 422


def test_requester_patching_a_foreign_ticket_with_staff_fields_gets_404(caller):
    ticket = caller("agent").post(TICKETS, json={"title": "x"}).json()
    requester = caller("requester", sub="5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d")
    response = requester.patch(f"{TICKETS}/{ticket['id']}", json={"team_id": None})
    assert response.status_code == 404


def test_requesters_may_say_their_comment_is_public(caller):
    requester = caller("requester", sub="5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d")
    ticket = requester.post(TICKETS, json={"title": "x"}).json()
    path = f"{TICKETS}/{ticket['id']}/comments"
    assert requester.post(path, json={"body": "hi", "public": True}).status_code == 201
    assert requester.post(path, json={"body": "psst", "public": False}).status_code == 403


def test_a_patch_that_changes_nothing_writes_nothing(agent):
    created = agent.post(TICKETS, json={"title": "same", "priority": "low"})
    path = f"{TICKETS}/{created.json()['id']}"
    response = agent.patch(path, json={"title": "same", "priority": "low"})
    assert response.status_code == 200
    assert response.headers["ETag"] == created.headers["ETag"]
    assert [e["action"] for e in agent.get(f"{path}/events").json()["data"]] == ["create"]
    agent.post(f"{path}/close")
    assert agent.patch(path, json={"title": "same"}).status_code == 409


def test_if_match_accepts_a_list_of_etags(agent):
    created = agent.post(TICKETS, json={"title": "x"})
    path = f"{TICKETS}/{created.json()['id']}"
    header = {"If-Match": f'"other", {created.headers["ETag"]}'}
    assert agent.patch(path, json={"title": "y"}, headers=header).status_code == 200


def test_hours_that_cannot_reach_a_target_are_refused(admin):
    sparse = {"timezone": "UTC", "weekdays": [1], "start": "09:00", "end": "09:01"}
    target = {"medium": {"first_response_minutes": 5, "resolution_minutes": 500_000}}
    response = admin.post(
        POLICIES, json={"name": "Sparse", "targets": target, "business_hours": sparse}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "targets.medium.resolution_minutes"


def test_an_empty_jwt_secret_is_refused_at_start(tmp_path):
    settings = Settings(jwt_secret="", dev_secret_file=tmp_path / "unused")
    with pytest.raises(ConfigurationError):
        TokenVerifier(settings)


def test_a_short_jwt_secret_is_accepted_with_a_warning(tmp_path, caplog):
    TokenVerifier(Settings(jwt_secret="short", dev_secret_file=tmp_path / "unused"))
    assert "shorter than 32 bytes" in caplog.text


def test_admins_can_audit_a_deleted_ticket_before_restoring_it(admin):
    ticket = admin.post(TICKETS, json={"title": "x"}).json()
    admin.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "note"})
    admin.delete(f"{TICKETS}/{ticket['id']}")
    events = admin.get(f"{TICKETS}/{ticket['id']}/events", params={"include_deleted": "true"})
    assert [e["action"] for e in events.json()["data"]] == ["create", "comment", "delete"]
    assert admin.get(f"{TICKETS}/{ticket['id']}/events").status_code == 404


def test_readyz_fails_on_an_unmigrated_database(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        jwt_secret="x" * 40,
        dev_secret_file=tmp_path / "unused",
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "database_not_migrated"
