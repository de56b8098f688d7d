"""Sending one logical request: headers, idempotency, retries, error mapping.

A client builds one requester and hands it to every resource, so the
configuration and the connection pool live in one place. The sync and async
requesters share everything but the send-and-wait loop.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import anyio
import httpx

from edm.client._config import ClientConfig
from edm.client._encoding import encode_body, encode_query
from edm.client._errors import APIConnectionError, APITimeoutError, status_error
from edm.client._retry import RetryPolicy
from edm.client._types import NOT_GIVEN, Headers, NotGiven, Timeout


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """One API call as the resources describe it, before it becomes HTTP."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: Timeout | NotGiven = NOT_GIVEN
    idempotency_key: str | None = None

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        path_params: Mapping[str, str],
        *,
        query: Mapping[str, Any] | None = None,
        repeated: tuple[str, ...] = (),
        body: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
    ) -> RequestOptions:
        """Options for one operation; the generated resource methods call this.

        `path` is the manifest's template (`/api/v1/helpdesk/tickets/{id}`);
        each `path_params` value is percent-encoded into it, so an id can
        never reach another route.
        """
        segments = {name: _path_segment(name, value) for name, value in path_params.items()}
        headers = {"If-Match": if_match} if if_match is not None else {}
        return cls(
            method=method,
            path=path.format_map(segments),
            params=tuple(encode_query(query or {}, repeated=repeated)),
            json=encode_body(body) if body is not None else None,
            headers={**headers, **(extra_headers or {})},
            timeout=timeout,
            idempotency_key=idempotency_key,
        )

    def at_cursor(self, cursor: str | None) -> RequestOptions:
        """The same request for the page at `cursor` (`None`: as first given)."""
        if cursor is None:
            return self
        params = tuple((name, value) for name, value in self.params if name != "cursor")
        return replace(self, params=(*params, ("cursor", cursor)))


class _Requester:
    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.retry = RetryPolicy(config.max_retries)

    def _build(
        self, http: httpx.Client | httpx.AsyncClient, options: RequestOptions
    ) -> httpx.Request:
        """The HTTP request, built once so every retry resends the same bytes and key."""
        headers = self.config.headers()
        if options.method == "POST":
            headers["Idempotency-Key"] = options.idempotency_key or str(uuid.uuid4())
        headers.update(options.headers)
        timeout = self.config.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        return http.build_request(
            options.method,
            self.config.base_url + options.path,
            params=options.params or None,
            json=options.json,
            headers=headers,
            timeout=timeout,
        )


class SyncRequester(_Requester):
    def __init__(self, config: ClientConfig, http_client: httpx.Client | None = None) -> None:
        super().__init__(config)
        self.http = http_client or httpx.Client()
        self._owns_http = http_client is None
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it to see the backoff

    def request(self, options: RequestOptions) -> httpx.Response:
        """Send, retrying what a retry can fix; a 2xx/3xx response or an `APIError`."""
        request = self._build(self.http, options)
        attempt = 0
        while True:
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                delay = self.retry.delay_after_error(attempt, exc)
                if delay is None:
                    raise _wire_error(request, exc) from exc
            else:
                delay = self.retry.delay_after_response(attempt, response)
                if delay is None:
                    return _checked(response)
                response.close()
            self.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool, unless the caller passed it in and owns it."""
        if self._owns_http:
            self.http.close()


class AsyncRequester(_Requester):
    def __init__(self, config: ClientConfig, http_client: httpx.AsyncClient | None = None) -> None:
        super().__init__(config)
        self.http = http_client or httpx.AsyncClient()
        self._owns_http = http_client is None
        self.sleep: Callable[[float], Awaitable[None]] = anyio.sleep  # replaced in tests

    async def request(self, options: RequestOptions) -> httpx.Response:
        """Send, retrying what a retry can fix; a 2xx/3xx response or an `APIError`."""
        request = self._build(self.http, options)
        attempt = 0
        while True:
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                delay = self.retry.delay_after_error(attempt, exc)
                if delay is None:
                    raise _wire_error(request, exc) from exc
            else:
                delay = self.retry.delay_after_response(attempt, response)
                if delay is None:
                    return _checked(response)
                await response.aclose()
            await self.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller passed it in and owns it."""
        if self._owns_http:
            await self.http.aclose()


def _path_segment(name: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise status_error(response)
    return response


def _wire_error(request: httpx.Request, exc: httpx.TransportError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(request)
    return APIConnectionError(request, reason=str(exc) or type(exc).__name__)
