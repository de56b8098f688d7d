"""Pure ASGI middleware: request ids, response headers, header and body size, last-resort 500.

Kept at the ASGI level (not BaseHTTPMiddleware) so it costs little on the
hot path and also covers errors raised outside any route.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edm.errors import EDMError, FieldError, HeaderTooLarge, PayloadTooLarge
from edm.server.problems import problem_response

log = logging.getLogger("edm.server")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_STORE = (b"cache-control", b"no-store")


def _add_missing(raw: list[tuple[bytes, bytes]], headers: list[tuple[bytes, bytes]]) -> None:
    """Append each of `headers` the response does not set itself (names lower-case)."""
    present = {name.lower() for name, _ in raw}
    raw.extend(header for header in headers if header[0] not in present)


def new_request_id() -> str:
    """80 random bits, not a ULID: nothing orders requests by their ids (logs
    carry the time), and making a ULID was a measurable share of a `GET`
    (docs/performance.md)."""
    return f"req_{secrets.token_hex(10)}"


def _request_id(scope: Scope) -> str:
    """The client's `X-Request-Id` if it is sane, else a new random one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _CLIENT_REQUEST_ID.match(candidate):
                return candidate
    return new_request_id()


class RequestContextMiddleware:
    """Gives every request an id, echoes it, adds standard headers, and turns
    any unhandled exception into a 500 problem without a stack trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        is_api = scope["path"].startswith("/api/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                raw.append((b"x-request-id", request_id.encode()))
                extra = [*_SECURITY, _NO_STORE] if is_api else list(_SECURITY)
                extra += [
                    (name.lower().encode(), value.encode())
                    for name, value in scope["state"].get("rate_limit_headers", {}).items()
                ]
                _add_missing(raw, extra)
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error (request %s)", request_id)
            if started:
                raise
            error = EDMError("An unexpected error occurred; quote the request id to support")
            await problem_response(error, request_id)(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """413 for bodies over the limit, whether announced or streamed; the
    paths of `path_limits` (batch operations) have their own."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, path_limits: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope["path"], self.max_bytes)
        too_large = PayloadTooLarge(f"The body exceeds {max_bytes} bytes")
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                response = problem_response(too_large, scope["state"].get("request_id"))
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)


class HeaderLimitMiddleware:
    """431 for a request with a header over `max_bytes` (its name and value),
    headers over `max_total_bytes` together, or more than `max_count` of
    them, before anything reads them.

    The server's protocol (`edm.server.protocol`) bounds the bytes it reads
    of a request's head before the app sees it; this refuses what it let
    through, and serves the app wherever it runs.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_total_bytes: int, max_count: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_total_bytes = max_total_bytes
        self.max_count = max_count

    def _refusal(self, headers: list[tuple[bytes, bytes]]) -> HeaderTooLarge | None:
        if len(headers) > self.max_count:
            message = f"The request has more than {self.max_count} headers"
            return HeaderTooLarge(message, errors=[FieldError(None, "too_many", message)])
        total = 0
        for name, value in headers:
            size = len(name) + len(value)
            if size > self.max_bytes:
                field = name.decode("latin-1")
                message = f"The header exceeds {self.max_bytes} bytes"
                return HeaderTooLarge(
                    f"Header '{field}': {message}", errors=[FieldError(field, "too_long", message)]
                )
            total += size
        if total > self.max_total_bytes:
            message = f"The headers exceed {self.max_total_bytes} bytes together"
            return HeaderTooLarge(message, errors=[FieldError(None, "too_long", message)])
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (refusal := self._refusal(scope["headers"])):
            await problem_response(refusal, scope["state"].get("request_id"))(scope, receive, send)
            return
        await self.app(scope, receive, send)
