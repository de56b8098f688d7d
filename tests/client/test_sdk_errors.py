"""Error responses and wire failures become the SDK's named exceptions."""

from __future__ import annotations

import socket

import httpx
import pytest
from sdk_fakes import Wire, problem

import edm
from edm.client import FieldError


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, edm.BadRequestError),
        (401, edm.AuthenticationError),
        (403, edm.PermissionDeniedError),
        (404, edm.NotFoundError),
        (409, edm.ConflictError),
        (412, edm.PreconditionFailedError),
        (422, edm.UnprocessableEntityError),
        (500, edm.InternalServerError),
        (501, edm.InternalServerError),
        (405, edm.APIStatusError),
        (413, edm.APIStatusError),
    ],
)
def test_each_status_raises_its_class(
    client: edm.Client, wire: Wire, status: int, error_class: type[edm.APIStatusError]
) -> None:
    wire.queue(problem(status, "some_code", "Something is wrong"))
    with pytest.raises(error_class) as caught:
        client.helpdesk.tickets.get("TKT-0042")
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, edm.APIError)
    assert isinstance(error, edm.EDMError)
    assert (error.status_code, error.code, error.detail) == (
        status,
        "some_code",
        "Something is wrong",
    )
    assert error.request_id == "req_123"
    assert error.body["status"] == status


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(429, edm.RateLimitError), (503, edm.InternalServerError)],
)
def test_retried_statuses_raise_their_class_once_retries_run_out(
    client: edm.Client, wire: Wire, status: int, error_class: type[edm.APIStatusError]
) -> None:
    wire.queue(*(problem(status, "busy", "Try later") for _ in range(3)))
    with pytest.raises(error_class):
        client.helpdesk.tickets.get("TKT-0042")


def test_str_shows_status_code_detail_and_request_id(client: edm.Client, wire: Wire) -> None:
    wire.queue(problem(404, "not_found", "Ticket TKT-0042 not found"))
    with pytest.raises(edm.NotFoundError) as caught:
        client.helpdesk.tickets.get("TKT-0042")
    assert str(caught.value) == "404 not_found: Ticket TKT-0042 not found (request_id=req_123)"


def test_field_errors_are_parsed_and_shown(client: edm.Client, wire: Wire) -> None:
    errors = [
        {"field": "title", "code": "too_long", "message": "at most 200 characters"},
        {"field": "number", "code": "read_only", "message": "is read-only"},
    ]
    wire.queue(problem(422, "validation_failed", "Invalid fields: number, title", errors=errors))
    with pytest.raises(edm.UnprocessableEntityError) as caught:
        client.helpdesk.tickets.create(title="x" * 300)
    error = caught.value
    assert error.errors == [
        FieldError("title", "too_long", "at most 200 characters"),
        FieldError("number", "read_only", "is read-only"),
    ]
    assert str(error) == (
        "422 validation_failed: Invalid fields: number, title "
        "[title: at most 200 characters; number: is read-only] (request_id=req_123)"
    )


def test_request_id_falls_back_to_the_body(client: edm.Client, wire: Wire) -> None:
    wire.queue(
        httpx.Response(409, json={"code": "conflict", "detail": "Closed", "request_id": "r9"})
    )
    with pytest.raises(edm.ConflictError) as caught:
        client.helpdesk.tickets.update("TKT-0001", title="x")
    assert caught.value.request_id == "r9"


def test_a_non_json_error_body_is_kept_as_text(client: edm.Client, wire: Wire) -> None:
    wire.queue(httpx.Response(500, text="<html>oops</html>"))
    with pytest.raises(edm.InternalServerError) as caught:
        client.helpdesk.tickets.get("TKT-0001")
    error = caught.value
    assert (error.body, error.code, error.request_id) == ("<html>oops</html>", None, None)
    assert str(error) == "500: Internal Server Error"


def test_connection_error(client: edm.Client, wire: Wire) -> None:
    wire.queue(*(httpx.ConnectError("connection refused") for _ in range(3)))
    with pytest.raises(edm.APIConnectionError) as caught:
        client.helpdesk.tickets.list()
    assert "connection refused" in str(caught.value)
    assert caught.value.request.url.path == "/api/v1/helpdesk/tickets"
    assert not isinstance(caught.value, edm.APITimeoutError)


def test_timeout(client: edm.Client, wire: Wire) -> None:
    wire.queue(*(httpx.ReadTimeout("slow") for _ in range(3)))
    with pytest.raises(edm.APITimeoutError) as caught:
        client.helpdesk.tickets.list()
    assert isinstance(caught.value, edm.APIConnectionError)
    assert len(wire.requests) == 3


def test_a_closed_port_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        edm.Client(f"http://127.0.0.1:{port}", "token", max_retries=0) as sdk,
        pytest.raises(edm.APIConnectionError, match=f"127.0.0.1:{port}"),
    ):
        sdk.helpdesk.tickets.list()


@pytest.mark.anyio
async def test_async_errors(aclient: edm.AsyncClient, wire: Wire) -> None:
    wire.queue(problem(412, "precondition_failed", "The record changed"))
    with pytest.raises(edm.PreconditionFailedError, match="412 precondition_failed"):
        await aclient.helpdesk.tickets.close("TKT-0001", if_match='"stale"')
