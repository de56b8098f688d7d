"""Each ticket operation sends the request the API expects and returns a typed record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from sdk_fakes import BASE_URL, Wire, base_json, comment_json, event_json, ticket_json

import edm
from edm.client import Comment, Event, SLAPolicy, Ticket

TICKET_ID = "tkt_01JD0000000000000000000001"


def record(http_status: int = 200, **overrides: object) -> httpx.Response:
    return httpx.Response(http_status, json=ticket_json(**overrides), headers={"ETag": '"v1"'})


def page(*tickets: dict[str, object]) -> httpx.Response:
    return httpx.Response(200, json={"data": list(tickets), "has_more": False, "next_cursor": None})


def body_of(request: httpx.Request) -> object:
    return json.loads(request.content)


def test_list_sends_no_parameter_the_caller_did_not_give(client: edm.Client, wire: Wire) -> None:
    wire.queue(page())
    client.helpdesk.tickets.list()
    assert wire.last.method == "GET"
    assert str(wire.last.url) == f"{BASE_URL}/api/v1/helpdesk/tickets"


def test_list_encodes_filters(client: edm.Client, wire: Wire) -> None:
    wire.queue(page())
    client.helpdesk.tickets.list(
        status=["open", "pending"],
        priority="high",
        assigned_to_id=None,
        tag=["vpn", "urgent-ish"],
        q="printer",
        order="-due_at",
        limit=10,
        include_deleted=True,
        created_after=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        due_before="2026-02-01T00:00:00Z",
    )
    assert wire.last.url.params.multi_items() == [
        ("status", "open,pending"),
        ("priority", "high"),
        ("assigned_to_id", "null"),
        ("tag", "vpn"),
        ("tag", "urgent-ish"),
        ("q", "printer"),
        ("order", "-due_at"),
        ("limit", "10"),
        ("include_deleted", "true"),
        ("created_after", "2026-01-01T10:00:00.000000Z"),
        ("due_before", "2026-02-01T00:00:00Z"),
    ]


def test_list_refuses_a_naive_datetime(client: edm.Client, wire: Wire) -> None:
    with pytest.raises(ValueError, match="no timezone"):
        client.helpdesk.tickets.list(created_after=datetime(2026, 1, 1))
    assert wire.requests == []


def test_list_returns_typed_records(client: edm.Client, wire: Wire) -> None:
    wire.queue(page(ticket_json(), ticket_json(number="TKT-0002")))
    result = client.helpdesk.tickets.list()
    assert [t.number for t in result.data] == ["TKT-0001", "TKT-0002"]
    assert all(isinstance(t, Ticket) for t in result.data)
    assert result.data[0].etag is None


def test_get_by_number(client: edm.Client, wire: Wire) -> None:
    wire.queue(record())
    ticket = client.helpdesk.tickets.get("TKT-0001")
    assert wire.last.url.path == "/api/v1/helpdesk/tickets/TKT-0001"
    assert ticket.id == TICKET_ID
    assert ticket.etag == '"v1"'


def test_get_include_deleted(client: edm.Client, wire: Wire) -> None:
    wire.queue(record())
    client.helpdesk.tickets.get(TICKET_ID, include_deleted=True)
    assert wire.last.url.params["include_deleted"] == "true"


def test_ids_are_percent_encoded_into_one_path_segment(client: edm.Client, wire: Wire) -> None:
    wire.queue(record())
    client.helpdesk.tickets.get("../sla_policies/x?y")
    assert wire.last.url.raw_path == b"/api/v1/helpdesk/tickets/..%2Fsla_policies%2Fx%3Fy"


def test_an_empty_id_is_refused(client: edm.Client, wire: Wire) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        client.helpdesk.tickets.get("")
    assert wire.requests == []


def test_create_posts_the_given_fields(client: edm.Client, wire: Wire) -> None:
    wire.queue(record(201, tags=["vpn"]))
    ticket = client.helpdesk.tickets.create(
        title="VPN down", priority="urgent", tags=("vpn",), category=None
    )
    request = wire.last
    assert (request.method, request.url.path) == ("POST", "/api/v1/helpdesk/tickets")
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == {
        "title": "VPN down",
        "priority": "urgent",
        "category": None,
        "tags": ["vpn"],
    }
    assert request.headers["idempotency-key"]
    assert ticket.tags == ["vpn"]


def test_update_sends_only_given_fields_and_none_as_null(client: edm.Client, wire: Wire) -> None:
    wire.queue(record())
    client.helpdesk.tickets.update(TICKET_ID, title="Renamed", assigned_to_id=None)
    request = wire.last
    assert (request.method, request.url.path) == ("PATCH", f"/api/v1/helpdesk/tickets/{TICKET_ID}")
    assert body_of(request) == {"title": "Renamed", "assigned_to_id": None}
    assert "if-match" not in request.headers
    assert "idempotency-key" not in request.headers


def test_update_with_if_match(client: edm.Client, wire: Wire) -> None:
    wire.queue(record())
    client.helpdesk.tickets.update(TICKET_ID, status="pending", if_match='"v1"')
    assert wire.last.headers["if-match"] == '"v1"'


def test_delete(client: edm.Client, wire: Wire) -> None:
    wire.queue(record(is_deleted=True, deleted_at="2026-11-27T00:00:00.000000Z"))
    ticket = client.helpdesk.tickets.delete(TICKET_ID, if_match='"v1"')
    assert (wire.last.method, wire.last.url.path) == (
        "DELETE",
        f"/api/v1/helpdesk/tickets/{TICKET_ID}",
    )
    assert wire.last.headers["if-match"] == '"v1"'
    assert ticket.is_deleted
    assert ticket.deleted_at == datetime(2026, 11, 27, tzinfo=UTC)


@pytest.mark.parametrize("action", ["close", "reopen", "restore"])
def test_actions_post_without_a_body(client: edm.Client, wire: Wire, action: str) -> None:
    wire.queue(record())
    getattr(client.helpdesk.tickets, action)(TICKET_ID)
    request = wire.last
    assert (request.method, request.url.path) == (
        "POST",
        f"/api/v1/helpdesk/tickets/{TICKET_ID}/{action}",
    )
    assert request.content == b""
    assert request.headers["idempotency-key"]


def test_records_are_typed(client: edm.Client, wire: Wire) -> None:
    wire.queue(record(status="resolved", resolved_at="2026-11-26T05:00:00.5Z"))
    ticket = client.helpdesk.tickets.get(TICKET_ID)
    assert ticket.created_at == datetime(2026, 11, 26, 4, 13, 9, 123456, tzinfo=UTC)
    assert ticket.created_at.utcoffset() == timedelta(0)
    assert ticket.resolved_at == datetime(2026, 11, 26, 5, 0, 0, 500000, tzinfo=UTC)
    assert ticket.status == "resolved"
    assert ticket.description is None


def test_to_dict_gives_back_the_api_json(client: edm.Client, wire: Wire) -> None:
    sent = ticket_json(due_at="2026-11-30T17:00:00.000000Z", tags=["a", "b"])
    wire.queue(httpx.Response(200, json=sent))
    assert client.helpdesk.tickets.get(TICKET_ID).to_dict() == sent


def test_fields_a_newer_server_adds_are_kept(client: edm.Client, wire: Wire) -> None:
    sent = ticket_json(satisfaction={"score": 5})
    wire.queue(httpx.Response(200, json=sent))
    ticket = client.helpdesk.tickets.get(TICKET_ID)
    assert ticket.satisfaction == {"score": 5}
    assert ticket.to_dict() == sent


def test_fields_an_older_server_omits_take_their_defaults(client: edm.Client, wire: Wire) -> None:
    sent = ticket_json()  # no app_id: the server leaves it out for human sessions
    del sent["tags"]
    wire.queue(httpx.Response(200, json=sent))
    ticket = client.helpdesk.tickets.get(TICKET_ID)
    assert ticket.app_id is None
    assert ticket.tags == []
    assert ticket.to_dict() == sent


@pytest.mark.anyio
async def test_async_operations(aclient: edm.AsyncClient, wire: Wire) -> None:
    wire.queue(record(201), record(), record(status="closed"))
    created = await aclient.helpdesk.tickets.create(title="Printer on fire")
    await aclient.helpdesk.tickets.update(created.id, description=None, if_match=created.etag)
    closed = await aclient.helpdesk.tickets.close(created.id)
    assert [(r.method, r.url.path) for r in wire.requests] == [
        ("POST", "/api/v1/helpdesk/tickets"),
        ("PATCH", f"/api/v1/helpdesk/tickets/{TICKET_ID}"),
        ("POST", f"/api/v1/helpdesk/tickets/{TICKET_ID}/close"),
    ]
    assert body_of(wire.requests[1]) == {"description": None}
    assert wire.requests[1].headers["if-match"] == '"v1"'
    assert closed.status == "closed"


def test_comments_live_under_their_ticket(client: edm.Client, wire: Wire) -> None:
    wire.queue(httpx.Response(201, json=comment_json(public=False)), page(comment_json()))
    comments = client.helpdesk.tickets.comments
    comment = comments.create("TKT-0001", body="Rebooted it", public=False)
    listed = comments.list("TKT-0001", public=True, limit=5)
    create, list_ = wire.requests
    assert (create.method, create.url.path) == (
        "POST",
        "/api/v1/helpdesk/tickets/TKT-0001/comments",
    )
    assert body_of(create) == {"body": "Rebooted it", "public": False}
    assert list_.url.path == "/api/v1/helpdesk/tickets/TKT-0001/comments"
    assert list_.url.params.multi_items() == [("public", "true"), ("limit", "5")]
    assert isinstance(comment, Comment)
    assert comment.public is False
    assert listed.data[0].author_id == "agent-1"


def test_events_list_the_ticket_history(client: edm.Client, wire: Wire) -> None:
    wire.queue(page(event_json()))
    events = client.helpdesk.tickets.events.list(TICKET_ID, action=["close", "reopen"])
    assert wire.last.url.path == f"/api/v1/helpdesk/tickets/{TICKET_ID}/events"
    assert wire.last.url.params["action"] == "close,reopen"
    event = events.data[0]
    assert isinstance(event, Event)
    assert event.changes == {"status": ["open", "closed"]}
    assert event.at.tzinfo is not None


def test_sla_policies(client: edm.Client, wire: Wire) -> None:
    policy = {
        **base_json("sla_01JD0000000000000000000001"),
        "name": "Standard",
        "description": None,
        "is_default": True,
        "targets": {"urgent": {"first_response_minutes": 15, "resolution_minutes": 240}},
        "business_hours": None,
    }
    wire.queue(httpx.Response(201, json=policy))
    created = client.helpdesk.sla_policies.create(
        name="Standard", is_default=True, targets=policy["targets"], business_hours=None
    )
    assert wire.last.url.path == "/api/v1/helpdesk/sla_policies"
    assert body_of(wire.last) == {
        "name": "Standard",
        "is_default": True,
        "targets": policy["targets"],
        "business_hours": None,
    }
    assert isinstance(created, SLAPolicy)
    assert created.to_dict() == policy
