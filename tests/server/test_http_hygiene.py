"""Errors and HTTP hygiene over HTTP (SPEC section 4, issue 2 item 7).

Every error is one RFC 9457 problem document carrying the request id that is
also in the `X-Request-Id` header; requests that are not what the API takes
(wrong route, method, media type, JSON, size, query parameter or field) get
a precise 4xx, and nothing is written; an unexpected failure is a 500 that
leaks nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from edm.manifest import RESOURCES, FieldType, OperationKind, resource

TICKETS = resource("tickets")
PATH = TICKETS.path
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors", "request_id"}
ONE_MIB = 1024 * 1024
MISSING_ID = f"{TICKETS.id_prefix}_{'0' * 26}"
# A valid-typed value per field type, so a rejection is about the field, not its value.
SAMPLE_VALUES: dict[FieldType, Any] = {
    FieldType.ID: MISSING_ID,
    FieldType.STRING: "forged",
    FieldType.DATETIME: "2030-01-01T00:00:00.000000Z",
    FieldType.BOOLEAN: True,
    FieldType.INTEGER: 7,
}
READ_ONLY = [f.name for f in TICKETS.read_only_fields]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """`response` is an RFC 9457 problem with `status`; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert all(isinstance(body[key], str) and body[key] for key in ("type", "title", "detail"))
    assert isinstance(body["code"], str) and body["code"]
    assert all(set(error) == {"field", "code", "message"} for error in body["errors"])
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body["errors"]}


def listed_ids(client: Any) -> list[str]:
    response = client.get(PATH, params={"include_deleted": "true"})
    assert response.status_code == 200
    return [record["id"] for record in response.json()["data"]]


def stored(client: Any, ticket_id: str) -> dict[str, Any]:
    """The ticket as stored now, deleted or not."""
    response = client.get(f"{PATH}/{ticket_id}", params={"include_deleted": "true"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def admin(caller: Any) -> Any:
    """An admin whose `sub` is a UUID, so the `submitted_by_id` it defaults to is a
    valid reference and a ticket echoed back fails on its read-only fields alone."""
    return caller("admin", sub=str(uuid4()))


@pytest.fixture
def ticket(admin: Any) -> dict[str, Any]:
    response = admin.post(PATH, json={"title": "Monitor flickers", "tags": ["hardware"]})
    assert response.status_code == 201
    ticket: dict[str, Any] = response.json()
    return ticket


# -- problem documents and request ids -------------------------------------------


def test_unknown_route_is_a_404_problem(agent: Any) -> None:
    assert_problem(agent.get("/api/v1/helpdesk/nothing-here"), 404)


def test_unknown_route_outside_the_api_is_a_404_problem(http: TestClient) -> None:
    assert_problem(http.get("/no/such/page"), 404)


def test_missing_record_is_a_404_problem(agent: Any) -> None:
    assert_problem(agent.get(f"{PATH}/{MISSING_ID}"), 404)


def test_head_answers_the_get_headers_without_a_body(agent: Any) -> None:
    ticket = agent.post(PATH, json={"title": "headed"})
    head = agent.request("HEAD", f"{PATH}/{ticket.json()['number']}")

    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == ticket.headers["etag"]
    assert agent.request("HEAD", f"{PATH}/{MISSING_ID}").status_code == 404


@pytest.mark.parametrize(
    "key",
    ["%00", "a" * 5000, "..%2F..%2Fetc%2Fpasswd", "TKT-0001'--", "%C3%BC", "TKT-" + "9" * 30],
    ids=["nul", "huge", "traversal", "quote", "non-ascii", "huge-number"],
)
def test_hostile_record_key_is_a_404_problem(agent: Any, key: str) -> None:
    assert_problem(agent.get(f"{PATH}/{key}"), 404)


def test_missing_token_is_a_401_problem(http: TestClient) -> None:
    assert_problem(http.get(PATH), 401)


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/api/v1/manifest", "/openapi.json", PATH, "/nowhere"]
)
def test_every_response_carries_a_request_id(agent: Any, path: str) -> None:
    response = agent.get(path)

    assert response.headers.get("x-request-id")


def test_request_ids_differ_between_requests(agent: Any) -> None:
    first, second = agent.get(PATH), agent.get(PATH)

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("sent", ["client-req-42", "0f8fad5b-d9cb-469f-a165-70867728950e"])
def test_sane_client_request_id_is_echoed(agent: Any, sent: str) -> None:
    response = agent.get(f"{PATH}/{MISSING_ID}", headers={"X-Request-Id": sent})

    assert response.headers["x-request-id"] == sent
    assert assert_problem(response, 404)["request_id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "x" * 500, "has spaces in it", "<script>alert(1)</script>", "a;b=c"],
    ids=["empty", "too-long", "spaces", "markup", "separators"],
)
def test_hostile_client_request_id_is_replaced(agent: Any, sent: str) -> None:
    response = agent.get(f"{PATH}/{MISSING_ID}", headers={"X-Request-Id": sent})

    replaced = response.headers["x-request-id"]
    assert replaced != sent
    assert re.fullmatch(r"[\x21-\x7e]{1,128}", replaced)
    assert assert_problem(response, 404)["request_id"] == replaced


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_answer_200_without_a_token(http: TestClient, path: str) -> None:
    response = http.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "path", [PATH, f"{PATH}/{MISSING_ID}", "/api/v1/manifest"], ids=["list", "404", "manifest"]
)
def test_api_responses_are_not_cached(agent: Any, path: str) -> None:
    assert "no-store" in agent.get(path).headers.get("cache-control", "")


def test_401_responses_are_not_cached(http: TestClient) -> None:
    assert "no-store" in http.get(PATH).headers.get("cache-control", "")


# -- methods ------------------------------------------------------------------------


def allowed_methods() -> dict[str, set[str]]:
    """Each concrete path of every resource -> the methods its operations use."""
    allowed: dict[str, set[str]] = {}
    for res in RESOURCES:
        for op in res.operations:
            path = re.sub(r"\{[^}]+\}", MISSING_ID, res.path + op.path_suffix)
            allowed.setdefault(path, set()).add(op.method)
    return allowed


ALLOWED = allowed_methods()


@pytest.mark.parametrize("path", sorted(ALLOWED))
def test_unsupported_method_is_a_405_problem(agent: Any, path: str) -> None:
    assert_problem(agent.request("PUT", path, json={"title": "x"}), 405)


@pytest.mark.parametrize("path", sorted(ALLOWED))
def test_405_allow_header_lists_every_method_of_the_path(agent: Any, path: str) -> None:
    response = agent.request("PUT", path, json={"title": "x"})

    allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert allow - {"HEAD", "OPTIONS"} == ALLOWED[path]


# -- request bodies --------------------------------------------------------------------


def write(client: Any, target: str, ticket: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """Send a create, an update of `ticket` or its close action, with the request `kwargs`."""
    method, path = {
        "create": ("POST", PATH),
        "update": ("PATCH", f"{PATH}/{ticket['id']}"),
        "close": ("POST", f"{PATH}/{ticket['id']}/close"),
    }[target]
    return client.request(method, path, **kwargs)


def assert_nothing_written(client: Any, ticket: dict[str, Any]) -> None:
    """Only the fixture's ticket exists, exactly as it was created."""
    assert listed_ids(client) == [ticket["id"]]
    assert stored(client, ticket["id"]) == ticket


WRITES = ["create", "update"]
BODY_TARGETS = [*WRITES, "close"]  # an action takes an optional body, read the same way


@pytest.mark.parametrize("target", BODY_TARGETS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_json_body_with_another_content_type_is_415(
    admin: Any, ticket: dict[str, Any], target: str, content_type: str
) -> None:
    response = write(
        admin, target, ticket, content=b'{"title": "x"}', headers={"Content-Type": content_type}
    )

    assert_problem(response, 415)
    assert_nothing_written(admin, ticket)


def test_json_content_type_with_charset_is_accepted(agent: Any) -> None:
    response = agent.post(
        PATH,
        content=b'{"title": "Charset"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201


@pytest.mark.parametrize("target", BODY_TARGETS)
@pytest.mark.parametrize(
    "raw",
    [b'{"title": ', b"{'title': 'x'}", b'{"title": "x",}', b"\xff\xfe{}", b"title=x"],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "form-encoded"],
)
def test_malformed_json_is_400(admin: Any, ticket: dict[str, Any], target: str, raw: bytes) -> None:
    response = write(
        admin, target, ticket, content=raw, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)
    assert_nothing_written(admin, ticket)


@pytest.mark.parametrize("target", BODY_TARGETS)
@pytest.mark.parametrize("raw", [b"[]", b'[{"title": "x"}]', b'"title"', b"42", b"null", b"true"])
def test_json_body_that_is_not_an_object_is_422(
    admin: Any, ticket: dict[str, Any], target: str, raw: bytes
) -> None:
    response = write(
        admin, target, ticket, content=raw, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 422)
    assert_nothing_written(admin, ticket)


def body_of_size(size: int) -> bytes:
    """A JSON ticket body exactly `size` bytes long."""
    head, tail = b'{"title": "Big", "description": "', b'"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("target", BODY_TARGETS)
def test_body_over_1_mib_with_content_length_is_413(
    admin: Any, ticket: dict[str, Any], target: str
) -> None:
    response = write(admin, target, ticket, content=body_of_size(ONE_MIB + 1))

    assert int(response.request.headers["content-length"]) == ONE_MIB + 1
    assert_problem(response, 413)
    assert_nothing_written(admin, ticket)


@pytest.mark.parametrize("target", BODY_TARGETS)
def test_streamed_body_over_1_mib_is_413(admin: Any, ticket: dict[str, Any], target: str) -> None:
    response = write(
        admin,
        target,
        ticket,
        content=chunks(body_of_size(ONE_MIB + 1)),
        headers={"Content-Type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert_nothing_written(admin, ticket)


def test_streamed_body_under_the_limit_is_accepted(agent: Any) -> None:
    response = agent.post(
        PATH,
        content=chunks(b'{"title": "Streamed"}', 4),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 201


def test_body_of_exactly_1_mib_is_not_413(agent: Any) -> None:
    """The limit is inclusive: this body is refused for its description's length, not its size."""
    response = agent.post(
        PATH, content=body_of_size(ONE_MIB), headers={"Content-Type": "application/json"}
    )

    assert error_fields(assert_problem(response, 422)) == {"description"}


# -- headers --------------------------------------------------------------------------

MAX_HEADER_BYTES = 8 * 1024


def header_of_size(name: str, size: int) -> dict[str, str]:
    """A header whose name and value are `size` bytes together."""
    return {name: "a" * (size - len(name))}


def test_header_over_8_kib_is_431_naming_it_before_authentication(http: TestClient) -> None:
    response = http.get(PATH, headers=header_of_size("x-padding", MAX_HEADER_BYTES + 1))

    body = assert_problem(response, 431)
    assert body["code"] == "header_too_large"
    assert error_fields(body) == {"x-padding"}


def test_padded_token_is_431_not_verified(admin: Any, ticket: dict[str, Any]) -> None:
    padded = f"Bearer {' ' * MAX_HEADER_BYTES}{admin.token}"
    response = admin.post(PATH, json={"title": "padded"}, headers={"Authorization": padded})

    assert error_fields(assert_problem(response, 431)) == {"authorization"}
    assert_nothing_written(admin, ticket)


def test_header_of_exactly_8_kib_is_served(agent: Any) -> None:
    response = agent.get(PATH, headers=header_of_size("x-padding", MAX_HEADER_BYTES))

    assert response.status_code == 200


def test_headers_over_64_kib_together_are_431(http: TestClient) -> None:
    headers = {f"x-padding-{n}": "a" * 8000 for n in range(9)}

    body = assert_problem(http.get("/healthz", headers=headers), 431)
    assert error_fields(body) == {None}


def test_more_than_100_headers_are_431(http: TestClient) -> None:
    headers = {f"x-extra-{n}": "1" for n in range(100)}

    body = assert_problem(http.get("/healthz", headers=headers), 431)
    assert body["errors"][0]["code"] == "too_many"


# -- query parameters -------------------------------------------------------------------


def operation_request(op_name: str, ticket: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(method, path, extra request kwargs) that perform `op_name` on `ticket`."""
    op = TICKETS.operation(op_name)
    path = re.sub(r"\{[^}]+\}", ticket["id"], TICKETS.path + op.path_suffix)
    body = {OperationKind.CREATE: {"title": "New"}, OperationKind.UPDATE: {"title": "Changed"}}
    return op.method, path, ({"json": body[op.kind]} if op.kind in body else {})


@pytest.mark.parametrize("op_name", [op.name for op in TICKETS.operations])
def test_unknown_query_parameter_is_400_naming_it(
    admin: Any, ticket: dict[str, Any], op_name: str
) -> None:
    method, path, kwargs = operation_request(op_name, ticket)

    response = admin.request(method, path, params={"colour": "red"}, **kwargs)

    assert assert_problem(response, 400)["errors"][0]["field"] == "colour"
    assert_nothing_written(admin, ticket)


# -- fields in write bodies --------------------------------------------------------------


def sample(field_name: str) -> Any:
    return SAMPLE_VALUES[TICKETS.field(field_name).type]


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_field_on_create_is_422_naming_it(agent: Any, name: str) -> None:
    response = agent.post(PATH, json={"title": "Forged", name: sample(name)})

    assert name in error_fields(assert_problem(response, 422))
    assert listed_ids(agent) == []


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_field_on_update_is_422_naming_it(
    admin: Any, ticket: dict[str, Any], name: str
) -> None:
    response = admin.patch(f"{PATH}/{ticket['id']}", json={"title": "Forged", name: sample(name)})

    assert name in error_fields(assert_problem(response, 422))
    assert_nothing_written(admin, ticket)


def test_echoing_a_ticket_into_create_names_every_read_only_field(
    admin: Any, ticket: dict[str, Any]
) -> None:
    response = admin.post(PATH, json=ticket)

    assert error_fields(assert_problem(response, 422)) == set(READ_ONLY)
    assert_nothing_written(admin, ticket)


def test_echoing_a_ticket_into_update_names_every_read_only_field(
    admin: Any, ticket: dict[str, Any]
) -> None:
    response = admin.patch(f"{PATH}/{ticket['id']}", json=ticket)

    assert error_fields(assert_problem(response, 422)) == set(READ_ONLY)
    assert_nothing_written(admin, ticket)


@pytest.mark.parametrize("target", WRITES)
def test_unknown_body_field_is_422_naming_it(
    admin: Any, ticket: dict[str, Any], target: str
) -> None:
    response = write(admin, target, ticket, json={"title": "Colourful", "colour": "red"})

    assert error_fields(assert_problem(response, 422)) == {"colour"}
    assert_nothing_written(admin, ticket)


@pytest.mark.parametrize(
    "op_name", [op.name for op in TICKETS.operations if op.kind is OperationKind.ACTION]
)
def test_unknown_field_in_an_action_body_is_422(
    admin: Any, ticket: dict[str, Any], op_name: str
) -> None:
    _, path, _ = operation_request(op_name, ticket)

    response = admin.post(path, json={"colour": "red"})

    assert error_fields(assert_problem(response, 422)) == {"colour"}
    assert_nothing_written(admin, ticket)


# -- unexpected failures ------------------------------------------------------------------


def _explode(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("secret detail")


@pytest.mark.parametrize(
    ("method_name", "method", "body"),
    [("list", "GET", None), ("creation", "POST", {"title": "Boom"})],
)
def test_unexpected_error_is_a_500_problem_without_internals(
    app: FastAPI,
    agent: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method_name: str,
    method: str,
    body: dict[str, Any] | None,
) -> None:
    monkeypatch.setattr(app.state.services[TICKETS.name], method_name, _explode)

    with caplog.at_level(logging.ERROR):
        response = agent.request(method, PATH, json=body)

    problem = assert_problem(response, 500)
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    logged = [r for r in caplog.records if r.exc_info and problem["request_id"] in r.getMessage()]
    assert logged, "the failure is logged with its request id"
