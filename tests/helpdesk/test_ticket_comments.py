"""Comments: visibility, authorship and the first response (SPEC 7)."""

from __future__ import annotations

import pytest

TICKETS = "/api/v1/helpdesk/tickets"
SUBMITTER = "5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d"


def comments_path(ticket: dict) -> str:
    return f"{TICKETS}/{ticket['id']}/comments"


@pytest.fixture
def requester(caller):
    return caller("requester", sub=SUBMITTER)


@pytest.fixture
def ticket(requester):
    response = requester.post(TICKETS, json={"title": "Laptop will not boot"})
    assert response.status_code == 201
    return response.json()


def comment(caller, ticket, **fields):
    response = caller.post(comments_path(ticket), json={"body": "On it", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_comment_records_author_and_ticket(agent, ticket):
    created = comment(agent, ticket, body="Have you tried **turning it off**?")
    assert created["id"].startswith("cmt_")
    assert (created["ticket_id"], created["author_id"]) == (ticket["id"], "agent-1")
    assert created["public"] is True
    listed = agent.get(comments_path(ticket)).json()["data"]
    assert [c["id"] for c in listed] == [created["id"]]


def test_comments_list_oldest_first_and_by_number(agent, ticket):
    first, second = comment(agent, ticket, body="1"), comment(agent, ticket, body="2")
    by_number = agent.get(f"{TICKETS}/{ticket['number']}/comments").json()["data"]
    assert [c["id"] for c in by_number] == [first["id"], second["id"]]


def test_requester_sees_only_public_comments(agent, requester, ticket):
    public = comment(agent, ticket)
    comment(agent, ticket, public=False, body="Internal: user is a VIP")
    seen = requester.get(comments_path(ticket)).json()["data"]
    assert [c["id"] for c in seen] == [public["id"]]
    assert len(agent.get(comments_path(ticket)).json()["data"]) == 2


def test_requester_comments_are_public_and_only_on_own_tickets(caller, requester, ticket):
    assert comment(requester, ticket)["public"] is True
    response = requester.post(comments_path(ticket), json={"body": "x", "public": False})
    assert response.status_code == 403
    stranger = caller("requester", sub="0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10")
    assert stranger.post(comments_path(ticket), json={"body": "x"}).status_code == 404
    assert stranger.get(comments_path(ticket)).status_code == 404


def test_first_public_comment_by_someone_else_is_the_first_response(agent, requester, ticket):
    path = f"{TICKETS}/{ticket['id']}"
    comment(requester, ticket, body="Any news?")
    comment(agent, ticket, public=False, body="note")
    assert requester.get(path).json()["first_response_at"] is None
    reply = comment(agent, ticket, body="Replacing the disk")
    assert requester.get(path).json()["first_response_at"] == reply["created_at"]
    comment(agent, ticket, body="Done")
    assert requester.get(path).json()["first_response_at"] == reply["created_at"]


def test_closed_tickets_take_no_comments(agent, ticket):
    agent.post(f"{TICKETS}/{ticket['id']}/close")
    response = agent.post(comments_path(ticket), json={"body": "late"})
    assert response.status_code == 409
    assert agent.get(comments_path(ticket)).json()["data"] == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "body", "required"),
        ({"body": ""}, "body", "too_short"),
        ({"body": "x" * 65537}, "body", "too_long"),
        ({"body": "a\x00b"}, "body", "nul_byte"),
        ({"body": "x", "public": "yes"}, "public", "invalid_type"),
        ({"body": "x", "author_id": "me"}, "author_id", "read_only"),
        ({"body": "x", "ticket_id": "tkt_x"}, "ticket_id", "read_only"),
    ],
)
def test_invalid_comments_are_422(agent, ticket, body, field, code):
    response = agent.post(comments_path(ticket), json=body)
    assert response.status_code == 422
    assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_comments_of_other_tenants_do_not_exist(caller, agent, ticket):
    comment(agent, ticket)
    stranger = caller("admin", tenant_id="elsewhere-" + ticket["id"][-6:])
    assert stranger.get(comments_path(ticket)).status_code == 404
    assert stranger.post(comments_path(ticket), json={"body": "x"}).status_code == 404


def test_unknown_ticket_is_404(agent):
    assert agent.get(f"{TICKETS}/TKT-9999/comments").status_code == 404


def test_requesters_may_say_their_comment_is_public(caller):
    requester = caller("requester", sub="5d1c3f2e-8a4b-4f6e-9c7d-1e2f3a4b5c6d")
    ticket = requester.post(TICKETS, json={"title": "x"}).json()
    path = f"{TICKETS}/{ticket['id']}/comments"
    assert requester.post(path, json={"body": "hi", "public": True}).status_code == 201
    assert requester.post(path, json={"body": "psst", "public": False}).status_code == 403
