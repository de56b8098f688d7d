"""One exception tree for every failure a client can be told about.

Each class carries its HTTP status and a stable `code`; the server renders
them once as RFC 9457 problem+json and the SDK maps statuses back to the
same names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field or query parameter."""

    field: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {"field": self.field, "code": self.code, "message": self.message}


class EDMError(Exception):
    status = 500
    code = "internal_error"
    title = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        if code is not None:
            self.code = code


class BadRequest(EDMError):
    status, code, title = 400, "bad_request", "Bad Request"


class InvalidParameter(BadRequest):
    code = "invalid_parameter"

    def __init__(self, parameter: str, message: str, *, code: str = "invalid") -> None:
        super().__init__(
            f"Query parameter '{parameter}': {message}",
            errors=[FieldError(parameter, code, message)],
        )


class Unauthorized(EDMError):
    status, code, title = 401, "unauthorized", "Unauthorized"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(
            detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, code=code
        )


class Forbidden(EDMError):
    status, code, title = 403, "forbidden", "Forbidden"


class InsufficientScope(Forbidden):
    """The token lacks the scope the request needs (RFC 6750 section 3.1)."""

    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"The token's scopes do not include {scope}",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


class NotFound(EDMError):
    status, code, title = 404, "not_found", "Not Found"


class MethodNotAllowed(EDMError):
    status, code, title = 405, "method_not_allowed", "Method Not Allowed"


class Conflict(EDMError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(EDMError):
    status, code, title = 412, "precondition_failed", "Precondition Failed"


class PayloadTooLarge(EDMError):
    status, code, title = 413, "payload_too_large", "Content Too Large"


class HeaderTooLarge(EDMError):
    status, code, title = 431, "header_too_large", "Request Header Fields Too Large"


class UnsupportedMediaType(EDMError):
    status, code, title = 415, "unsupported_media_type", "Unsupported Media Type"


class ValidationFailed(EDMError):
    status, code, title = 422, "validation_failed", "Unprocessable Content"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        named = ", ".join(sorted({e.field for e in errors if e.field}))
        detail = f"Invalid fields: {named}" if named else "The request body is invalid."
        super().__init__(detail, errors=errors)


class TooManyRequests(EDMError):
    status, code, title = 429, "rate_limited", "Too Many Requests"


class ServiceUnavailable(EDMError):
    status, code, title = 503, "service_unavailable", "Service Unavailable"


class StatementTimeout(ServiceUnavailable):
    """A database statement of the request ran past `EDM_STATEMENT_TIMEOUT_MS`."""

    code = "statement_timeout"
