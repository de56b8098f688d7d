"""RFC 9457 problem+json: the single rendering of every error."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from edm.errors import (
    Conflict,
    EDMError,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    StatementTimeout,
)
from edm.store.statement_timeout import timed_out

log = logging.getLogger("edm.server")
PROBLEM_MEDIA_TYPE = "application/problem+json"
DATABASE_RETRY_AFTER_S = 2


class ProblemFieldError(BaseModel):
    field: str | None
    code: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error response carries it."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemFieldError]
    request_id: str | None


def problem_response(error: EDMError, request_id: str | None) -> Response:
    return Response(
        orjson.dumps(problem_body(error, request_id)),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def problem_body(error: EDMError, request_id: str | None) -> dict[str, Any]:
    """The problem document of `error` (also a batch item's `error`)."""
    return {
        "type": f"https://edm.dev/problems/{error.code.replace('_', '-')}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        "errors": [e.to_json() for e in error.errors],
        "request_id": request_id,
    }


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def edm_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EDMError)
    return problem_response(exc, request_id_of(request))


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Methods some route serves on this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Framework errors (unknown route, wrong method) in the same shape."""
    assert isinstance(exc, HTTPException)
    error: EDMError
    if exc.status_code == 404:
        error = NotFound(f"No route for {request.method} {request.url.path}")
    elif exc.status_code == 405:
        allow = ", ".join(_allowed_methods(request))
        error = MethodNotAllowed(
            f"{request.method} is not allowed here; allowed: {allow}", headers={"Allow": allow}
        )
    else:
        error = EDMError(str(exc.detail))
        error.status, error.title, error.code = exc.status_code, str(exc.detail), "http_error"
    return problem_response(error, request_id_of(request))


async def database_error_handler(request: Request, exc: Exception) -> Response:
    """Unreachable database: 503, retry shortly; a unique-key race: 409; a
    statement cut off by the statement timeout: 503 `statement_timeout`.

    Anything else from the driver is a bug and propagates to the 500 path.
    """
    assert isinstance(exc, DBAPIError)
    request_id = request_id_of(request)
    if isinstance(exc, IntegrityError):
        log.info("integrity error (request %s): %s", request_id, exc.orig)
        return problem_response(Conflict("The write conflicts with another record"), request_id)
    if timed_out(exc.orig):
        log.warning("statement timeout (request %s): %s", request_id, exc.orig)
        error = StatementTimeout(
            "A database statement of this request ran past the server's time limit",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
        return problem_response(error, request_id)
    if not (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
        raise exc
    log.warning("database unavailable (request %s): %s", request_id, exc.orig)
    return database_unavailable(request_id)


async def pool_timeout_handler(request: Request, exc: Exception) -> Response:
    """Every pooled connection is busy: shed load with a 503 instead of queueing on."""
    log.warning("database pool exhausted (request %s)", request_id_of(request))
    return database_unavailable(request_id_of(request))


def database_unavailable(request_id: str | None) -> Response:
    error = ServiceUnavailable(
        "The database is unavailable; retry shortly",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        code="database_unavailable",
    )
    return problem_response(error, request_id)
