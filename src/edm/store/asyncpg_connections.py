"""PostgreSQL connections kept between statements that need no transaction, on asyncpg.

The server's reads (a get, a list page: one round trip each) and its
writes outside a transaction (`edm.store.writes.AsyncpgWrites`: a
change's read of its record, then the record's one writing statement)
run on them. The driver's work around a round trip was most of what a
read cost a worker beyond the request's own path: psycopg's asyncio
connection registers its socket with the event loop for every wait and
walks a generator per round trip, where asyncpg's protocol stays
registered and parses replies in C (the difference is measured in
docs/performance.md). Writes in a transaction stay on SQLAlchemy's
psycopg engine, whose transactions and savepoints they need.

The connections are kept here rather than in asyncpg's own pool: its
acquire and release (timers, proxies, a queue) cost more than the round
trip itself; taking a kept connection is a list pop. At
most `size` are open (per event loop); a read or write that finds them
all in use waits for one, up to `timeout_s`, then fails with
SQLAlchemy's pool `TimeoutError`, which the server answers with a 503 as
it does for an exhausted pool. Each connection acts as `role`, opens its
session with `server_settings` (the server's `statement_timeout`) and
remembers the tenant its session is bound to.

A connection is closed when it is lost (with every idle one: a lost
connection usually means the server went away or restarted), when its
user was cancelled with a statement running (after asyncpg's cancel
request has reached the server, and holding its place among the `size`
until then), when it is found idle for longer than `recycle_s` after it
was opened, and on `close`. asyncpg notices a connection closed by the
server while it is idle, so none is taken dead from the pile; the
statements in flight when the server went away, and those that cannot
open a connection, fail as SQLAlchemy's `OperationalError` (503, retry
shortly).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
import psycopg
import sqlalchemy.exc
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# libpq's connection options that asyncpg does not take and that are no
# server settings: asyncpg would send them to the server as settings, which
# PostgreSQL refuses, so a URL with one is refused when the server starts.
# (`connect_timeout` becomes asyncpg's `timeout`.)
_LIBPQ_ONLY = frozenset(
    {
        "channel_binding",
        "fallback_application_name",
        "gssdelegation",
        "gssencmode",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "load_balance_hosts",
        "options",
        "replication",
        "require_auth",
        "requirepeer",
        "requiressl",
        "sslcertmode",
        "sslcompression",
        "sslcrldir",
        "sslsni",
        "tcp_user_timeout",
    }
)
_CONNECT_TIMEOUT = "connect_timeout"
_CLOSE_TIMEOUT_S = 5


def connect_arguments(url: URL) -> dict[str, Any]:
    """asyncpg's `connect` arguments for the engine's PostgreSQL `url`."""
    query = dict(url.query)
    unsupported = sorted(_LIBPQ_ONLY & query.keys())
    if unsupported:
        raise ValueError(
            f"the database URL's option {', '.join(unsupported)} is not supported:"
            " the server's reads and one-statement writes connect through asyncpg,"
            " which does not take it"
        )
    timeout = query.pop(_CONNECT_TIMEOUT, None)
    dsn = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    return {"dsn": dsn} if timeout is None else {"dsn": dsn, "timeout": float(str(timeout))}


def asyncpg_error(sql: str | None, values: Any, exc: BaseException, *, lost: bool) -> DBAPIError:
    """asyncpg's `exc` as the SQLAlchemy error psycopg's would be, so that
    reads and writes fail alike: a lost connection or one that cannot be
    opened is an `OperationalError` (503, retry shortly); PostgreSQL's own
    errors, and asyncpg's refusal of a value for a parameter's type, are
    classed by their SQLSTATE as psycopg classes them (a cancelled
    statement, class 57, is an `OperationalError`, a unique violation an
    `IntegrityError`, a value of the wrong type a `DataError`); asyncpg's
    other refusals of a call (a connection in use) are a
    `ProgrammingError`."""
    category: type[Exception]
    sqlstate = getattr(exc, "sqlstate", None)
    if lost or isinstance(exc, OSError):
        category = psycopg.OperationalError
    elif isinstance(exc, asyncpg.PostgresError) and sqlstate is not None:
        try:
            category = psycopg.errors.lookup(sqlstate)
        except KeyError:
            category = psycopg.DatabaseError
    else:
        category = psycopg.ProgrammingError
    error_class = next(
        found
        for base in category.__mro__
        if isinstance(found := getattr(sqlalchemy.exc, base.__name__, None), type)
        and issubclass(found, DBAPIError)
    )
    return error_class(sql, values, exc, connection_invalidated=lost)


@dataclass(slots=True, eq=False)
class _Pile:
    """The connections of one event loop: asyncpg's belong to the loop that
    opened them."""

    free: asyncio.Semaphore
    idle: list[AsyncpgConnection] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class AsyncpgConnection:
    """A kept connection and what its session is bound to."""

    connection: asyncpg.Connection
    pile: _Pile
    opened_at: float = field(default_factory=time.monotonic)
    bound: bool = False  # its session is bound to `tenant` (None: to no tenant)
    tenant: str | None = None
    busy: bool = False  # a statement was sent and its answer not read


class AsyncpgConnections:
    """Up to `size` asyncpg connections to `url` per event loop, kept for
    statements outside a transaction.

    A server worker runs one event loop. Tests and scripts that run a
    `Database` from several in turn (`asyncio.run` more than once) get a
    pile of connections for each; a pile whose loop has closed is let go
    (its sockets close as the garbage collector frees them), when another
    loop first takes a connection and on `close`.
    """

    def __init__(
        self,
        url: URL,
        *,
        size: int,
        recycle_s: float,
        timeout_s: float,
        role: str | None,
        server_settings: dict[str, str] | None = None,
    ) -> None:
        self._connect = connect_arguments(url)
        if server_settings:
            self._connect["server_settings"] = server_settings
        self._size = size
        self._recycle_s = recycle_s
        self._timeout_s = timeout_s
        self._role = role
        self._piles: dict[asyncio.AbstractEventLoop, _Pile] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    def _pile(self) -> _Pile:
        loop = asyncio.get_running_loop()
        pile = self._piles.get(loop)
        if pile is None:
            self._let_go_of_closed_loops()
            pile = self._piles[loop] = _Pile(asyncio.Semaphore(self._size))
        return pile

    def _let_go_of_closed_loops(self) -> None:
        for loop in [loop for loop in self._piles if loop.is_closed()]:
            del self._piles[loop]

    async def take(self) -> AsyncpgConnection:
        """An idle kept connection, or a new one if fewer than `size` are open."""
        pile = self._pile()
        if pile.free.locked():
            try:
                async with asyncio.timeout(self._timeout_s):
                    await pile.free.acquire()
            except TimeoutError:
                raise PoolTimeout(
                    f"every one of the asyncpg connections stayed in use for {self._timeout_s} s"
                ) from None
        else:
            await pile.free.acquire()
        try:
            while pile.idle:
                kept = pile.idle.pop()
                if time.monotonic() - kept.opened_at >= self._recycle_s:
                    await self._close(kept.connection)
                elif kept.connection.is_closed():
                    kept.connection.terminate()  # found closed while idle: its server went away
                else:
                    return kept
            return await self._open(pile)
        except BaseException:
            pile.free.release()
            raise

    async def _open(self, pile: _Pile) -> AsyncpgConnection:
        connection: asyncpg.Connection | None = None
        try:
            connection = await asyncpg.connect(**self._connect)
            for json_type in ("json", "jsonb"):
                # Bound as the text SQLAlchemy's asyncpg dialect makes, read as
                # psycopg reads them: decoded.
                await connection.set_type_codec(
                    json_type, schema="pg_catalog", encoder=str, decoder=orjson.loads
                )
            if self._role is not None:
                await connection.execute(f'SET ROLE "{self._role}"')
        except BaseException as exc:
            if connection is not None:
                connection.terminate()
            if isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError | OSError):
                raise asyncpg_error(None, None, exc, lost=True) from exc
            raise
        return AsyncpgConnection(connection, pile)

    async def give_back(self, kept: AsyncpgConnection) -> None:
        """Keep `kept` for the next user, or close it (see the module docstring)."""
        pile = kept.pile
        if kept.busy and not kept.connection.is_closed():
            # Closing drains asyncpg's cancel request first: terminating now
            # would drop it and leave the statement running on the server.
            # The connection keeps its place among `size` until it is closed.
            task = asyncio.create_task(self._close(kept.connection, pile))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            return
        try:
            if kept.connection.is_closed():
                lost, pile.idle = [kept, *pile.idle], []
                for lost_connection in lost:
                    lost_connection.connection.terminate()
            elif self._closed:
                await self._close(kept.connection)
            else:
                pile.idle.append(kept)
        finally:
            pile.free.release()

    async def _close(self, connection: asyncpg.Connection, pile: _Pile | None = None) -> None:
        """Close `connection` gracefully, in bounded time, whatever the server
        does (asyncpg aborts the connection when it cannot); then free its
        place in `pile`, if it still holds one."""
        try:
            with contextlib.suppress(Exception):  # asyncpg has aborted it
                await connection.close(timeout=_CLOSE_TIMEOUT_S)
        finally:
            if pile is not None:
                pile.free.release()

    async def close(self) -> None:
        """Close the running loop's idle connections (those in use close when
        given back) and let go of closed loops' piles."""
        self._closed = True
        pile = self._pile()
        idle, pile.idle = pile.idle, []
        for kept in idle:
            await self._close(kept.connection)
        self._let_go_of_closed_loops()
