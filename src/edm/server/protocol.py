"""The HTTP/1.1 protocol every worker runs: uvicorn's, with bounds on what a
connection can make the worker hold.

uvicorn keeps a request's head (request line and headers) in memory for as
long as the client takes to send it, however large: httptools grows a
header being received in one bytes object, and nothing times the head out.
Its connections are not counted against any limit, and a response a client
does not read stays buffered as long as the connection lives.

This protocol, selected with uvicorn's `http` option, adds four bounds
(`ConnectionLimits`, from the `EDM_*` settings):

- a request's head may take `head_bytes`: beyond them the client gets a
  `431` problem, what it still sends is read and dropped, and the
  connection closes;
- it must arrive within `head_timeout` seconds of the request's first byte
  (or of the connection's start), or the connection closes;
- a request arriving while the worker holds more than `connections`
  connections gets a `503` problem, and its connection closes;
- a response of which the client reads nothing for `send_timeout` seconds
  drops the connection and its buffered bytes.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from dataclasses import dataclass
from functools import cache
from typing import Any

from starlette.responses import Response
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from edm.errors import EDMError, FieldError, HeaderTooLarge, ServiceUnavailable
from edm.server.middleware import new_request_id
from edm.server.problems import problem_response
from edm.settings import Settings

OVERLOADED_RETRY_AFTER_S = 1


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    head_bytes: int
    head_timeout: float
    send_timeout: float
    connections: int

    @classmethod
    def of(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            settings.max_head_bytes,
            settings.header_timeout_seconds,
            settings.send_timeout_seconds,
            settings.max_connections,
        )


@cache
def _limits() -> ConnectionLimits:
    """This worker's limits: a worker reads its settings from the environment."""
    return ConnectionLimits.of(Settings())


def _closing_problem(error: EDMError) -> Response:
    """`error` as a problem response, served outside the app's middleware,
    after which the connection closes."""
    request_id = new_request_id()
    error.headers |= {"Connection": "close", "X-Request-Id": request_id}
    return problem_response(error, request_id)


def _wire_bytes(response: Response, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """`response` as HTTP/1.1 bytes, for a request uvicorn never finished reading."""
    head = [STATUS_LINE[response.status_code]]
    for name, value in [*default_headers, *response.raw_headers]:
        head += [name, b": ", value, b"\r\n"]
    return b"".join([*head, b"\r\n", response.body])


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with `ConnectionLimits`."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = _limits()
        self._reading_head = True
        self._head_bytes = 0
        self._head_deadline: asyncio.TimerHandle | None = None
        self._send_deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        self._cancel_send_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # read and dropped until the client or the deadline closes the connection
        super().data_received(data)
        if self._reading_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.head_bytes:
                self._refuse_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_deadline()
        if len(self.connections) > self.limits.connections:
            # uvicorn runs this app for the request instead of ours.
            self.app = _closing_problem(
                ServiceUnavailable(
                    "The server holds too many connections; retry shortly",
                    headers={"Retry-After": str(OVERLOADED_RETRY_AFTER_S)},
                    code="too_many_connections",
                )
            )
        super().on_headers_complete()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._watch_sending(self.transport.get_write_buffer_size())

    def resume_writing(self) -> None:
        self._cancel_send_deadline()
        super().resume_writing()

    def _start_head(self) -> None:
        """A head begins: the deadline runs from the connection's start or
        the request's first byte, whichever is later."""
        self._reading_head = True
        self._head_bytes = 0
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.limits.head_timeout, self._expire)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _cancel_send_deadline(self) -> None:
        if self._send_deadline is not None:
            self._send_deadline.cancel()
            self._send_deadline = None

    def _watch_sending(self, buffered: int) -> None:
        self._cancel_send_deadline()
        self._send_deadline = self.loop.call_later(
            self.limits.send_timeout, self._check_sending, buffered
        )

    def _check_sending(self, buffered: int) -> None:
        """While writing is paused, the app writes nothing more: a buffer that
        has not shrunk since the deadline was set means a client not reading."""
        self._send_deadline = None
        if (now := self.transport.get_write_buffer_size()) < buffered:
            self._watch_sending(now)
            return
        # A reset rather than a close: the kernel drops what it buffered too,
        # instead of keeping it for a client that reads nothing.
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _expire(self) -> None:
        self._head_deadline = None
        self.transport.close()

    def _refuse_head(self) -> None:
        """Answer 431 and stop parsing; the client may still be sending, so
        its bytes are read and dropped until it closes or the deadline does."""
        self._refused = True
        message = f"The request head exceeds {self.limits.head_bytes} bytes"
        error = HeaderTooLarge(message, errors=[FieldError(None, "too_long", message)])
        response = _closing_problem(error)
        self.transport.write(_wire_bytes(response, self.server_state.default_headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        else:
            self.transport.close()
