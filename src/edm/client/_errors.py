"""The SDK's exception tree, mapping HTTP statuses back to named errors.

The server answers every error as RFC 9457 problem+json carrying a stable
`code`, the field errors and the request id; `status_error` turns such a
response into the subclass for its status so callers can catch by meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class EDMError(Exception):
    """Every error the SDK raises, including configuration mistakes."""


class APIError(EDMError):
    """A request to the API failed, on the wire or with an error status."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """No HTTP response arrived: the server is unreachable or the connection broke."""

    def __init__(self, request: httpx.Request, *, reason: str) -> None:
        url = request.url.copy_with(query=None)
        super().__init__(f"Connection error: {request.method} {url}: {reason}", request=request)


class APITimeoutError(APIConnectionError):
    """The request took longer than its timeout."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request, reason="timed out")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field or query parameter, from a problem's `errors`."""

    field: str | None
    code: str
    message: str


class APIStatusError(APIError):
    """The server answered with an error status (4xx or 5xx)."""

    def __init__(self, response: httpx.Response, body: Any) -> None:
        problem = body if isinstance(body, dict) else {}
        self.response = response
        self.body = body
        self.status_code = response.status_code
        self.code: str | None = _str_or_none(problem.get("code"))
        self.detail: str = (
            _str_or_none(problem.get("detail"))
            or _str_or_none(problem.get("title"))
            or response.reason_phrase
        )
        self.errors = _field_errors(problem.get("errors"))
        self.request_id: str | None = response.headers.get("x-request-id") or _str_or_none(
            problem.get("request_id")
        )
        super().__init__(self._describe(), request=response.request)

    def _describe(self) -> str:
        head = f"{self.status_code} {self.code}" if self.code else str(self.status_code)
        text = f"{head}: {self.detail}"
        if self.errors:
            text += " [" + "; ".join(_describe_field_error(e) for e in self.errors) + "]"
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class BadRequestError(APIStatusError):
    """400: a malformed request, e.g. an unknown or invalid query parameter."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, expired or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the token's roles do not allow this action on a visible record."""


class NotFoundError(APIStatusError):
    """404: no such record for this tenant (or it is deleted)."""


class ConflictError(APIStatusError):
    """409: the record's state forbids the change (e.g. updating a closed ticket)."""


class PreconditionFailedError(APIStatusError):
    """412: the `If-Match` ETag is stale; reload the record and try again."""


class UnprocessableEntityError(APIStatusError):
    """422: the body failed validation; `errors` names each field."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically, raised once retries run out."""


class InternalServerError(APIStatusError):
    """5xx: the server failed; 502/503/504 are retried before this is raised."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response) -> APIStatusError:
    """The error for an error response, its body parsed when it is JSON."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text or None
    status = response.status_code
    cls = InternalServerError if status >= 500 else _BY_STATUS.get(status, APIStatusError)
    return cls(response, body)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _field_errors(value: Any) -> list[FieldError]:
    if not isinstance(value, list):
        return []
    return [
        FieldError(
            field=_str_or_none(item.get("field")),
            code=_str_or_none(item.get("code")) or "invalid",
            message=_str_or_none(item.get("message")) or "",
        )
        for item in value
        if isinstance(item, dict)
    ]


def _describe_field_error(error: FieldError) -> str:
    return f"{error.field}: {error.message}" if error.field else error.message
