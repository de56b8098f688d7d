"""Fakes for SDK tests: a scripted server behind `httpx.MockTransport` and API bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

BASE_URL = "https://edm.test"
TOKEN = "test-token"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Wire:
    """Answers each request with the next scripted answer and records the request.

    An answer is a response, an exception to raise (a connection error, a
    timeout) or a function of the request.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._answers: list[Answer] = []

    def queue(self, *answers: Answer) -> None:
        self._answers.extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self._answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def ticket_json(**overrides: Any) -> dict[str, Any]:
    """A ticket as the server renders it."""
    return {
        **base_json("tkt_01JD0000000000000000000001"),
        "number": "TKT-0001",
        "title": "Printer on fire",
        "description": None,
        "type": "incident",
        "status": "open",
        "priority": "medium",
        "category": None,
        "submitted_by_id": "agent-1",
        "assigned_to_id": None,
        "team_id": None,
        "sla_policy": None,
        "first_response_at": None,
        "resolved_at": None,
        "due_at": None,
        "related_asset_id": None,
        "related_vulnerability_id": None,
        "tags": [],
        **overrides,
    }


def problem(status: int, code: str, detail: str, **extra: Any) -> httpx.Response:
    """A problem+json error response as the server sends it."""
    body = {
        "type": f"https://edm.dev/problems/{code}",
        "title": "Error",
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [],
        "request_id": "req_body",
        **extra,
    }
    headers = {"X-Request-Id": "req_123", "Content-Type": "application/problem+json"}
    return httpx.Response(status, json=body, headers=headers)


def base_json(record_id: str) -> dict[str, Any]:
    """The base fields every record carries."""
    return {
        "id": record_id,
        "tenant_id": "tenant-1",
        "created_at": "2026-11-26T04:13:09.123456Z",
        "updated_at": "2026-11-26T04:13:09.123456Z",
        "created_by": "agent-1",
        "updated_by": "agent-1",
        "source": "edm",
        "source_type": "api",
        "is_deleted": False,
        "deleted_at": None,
        "deleted_by": None,
        "schema_version": 1,
    }


def comment_json(**overrides: Any) -> dict[str, Any]:
    return {
        **base_json("cmt_01JD0000000000000000000001"),
        "ticket_id": "tkt_01JD0000000000000000000001",
        "body": "Have you tried turning it off and on again?",
        "public": True,
        "author_id": "agent-1",
        **overrides,
    }


def event_json(**overrides: Any) -> dict[str, Any]:
    return {
        **base_json("evt_01JD0000000000000000000001"),
        "ticket_id": "tkt_01JD0000000000000000000001",
        "actor": "agent-1",
        "action": "close",
        "changes": {"status": ["open", "closed"]},
        "at": "2026-11-26T04:13:09.123456Z",
        **overrides,
    }
