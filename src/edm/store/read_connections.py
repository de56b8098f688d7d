"""PostgreSQL connections the server's reads keep between reads, on asyncpg.

A get or a list page is one round trip, and the driver's work around it
was most of what a read cost a worker beyond the request's own path:
psycopg's asyncio connection registers its socket with the event loop
for every wait and walks a generator per round trip, where asyncpg's
protocol stays registered and parses replies in C. Moving reads from
psycopg to asyncpg took a PostgreSQL get from 0.79 to 0.48 ms of worker
CPU under load (docs/performance.md). Writes stay on SQLAlchemy's
psycopg engine, whose transactions and savepoints they need.

The connections are kept here rather than in asyncpg's own pool: its
acquire and release (timers, proxies, a queue) cost 80-100 us a read,
more than the round trip; taking a kept connection is a list pop. At
most `size` are open (per event loop); a read that finds them all in use
waits for one, up to `timeout_s`, then fails with SQLAlchemy's pool
`TimeoutError`, which the server answers with a 503 as it does for
writes. Each connection acts as `role` and remembers the tenant its
session is bound to.

A connection is closed when it is lost (with every idle one: a lost
connection usually means the server went away or restarted), when a read
left a statement running on it (the read was cancelled), when it is older
than `recycle_s`, and on `close`. asyncpg notices a connection closed by
the server while it is idle, so a restart costs no read that finds its
connection dead in the pile; only the reads in flight at the time fail
(503, retry shortly).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy.exc import TimeoutError as PoolTimeout


@dataclass(slots=True, eq=False)
class _Pile:
    """The connections of one event loop: asyncpg's belong to the loop that
    opened them."""

    free: asyncio.Semaphore
    idle: list[ReadConnection] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class ReadConnection:
    """A kept connection and what its session is bound to."""

    connection: asyncpg.Connection
    pile: _Pile
    opened_at: float = field(default_factory=time.monotonic)
    bound: bool = False  # its session is bound to `tenant` (None: to no tenant)
    tenant: str | None = None
    busy: bool = False  # a statement was sent and its answer not read


class ReadConnections:
    """Up to `size` asyncpg connections to `dsn` per event loop, kept for reads.

    A server worker runs one event loop; tests and scripts that run a
    `Database` from several (`asyncio.run` more than once) get a pile of
    connections for each, left to the garbage collector with its loop.
    """

    def __init__(
        self, dsn: str, *, size: int, recycle_s: float, timeout_s: float, role: str | None
    ) -> None:
        self._dsn = dsn
        self._size = size
        self._recycle_s = recycle_s
        self._timeout_s = timeout_s
        self._role = role
        self._piles: WeakKeyDictionary[asyncio.AbstractEventLoop, _Pile] = WeakKeyDictionary()
        self._closed = False

    def _pile(self) -> _Pile:
        loop = asyncio.get_running_loop()
        pile = self._piles.get(loop)
        if pile is None:
            pile = self._piles[loop] = _Pile(asyncio.Semaphore(self._size))
        return pile

    async def take(self) -> ReadConnection:
        """An idle kept connection, or a new one if fewer than `size` are open."""
        pile = self._pile()
        if pile.free.locked():
            try:
                async with asyncio.timeout(self._timeout_s):
                    await pile.free.acquire()
            except TimeoutError:
                raise PoolTimeout(
                    f"every one of the reads' connections stayed in use for {self._timeout_s} s"
                ) from None
        else:
            await pile.free.acquire()
        try:
            while pile.idle:
                kept = pile.idle.pop()
                if not kept.connection.is_closed():
                    return kept
                kept.connection.terminate()  # found closed while idle: its server went away
            return await self._open(pile)
        except BaseException:
            pile.free.release()
            raise

    async def _open(self, pile: _Pile) -> ReadConnection:
        connection = await asyncpg.connect(self._dsn)
        if self._role is not None:
            await connection.execute(f'SET ROLE "{self._role}"')
        return ReadConnection(connection, pile)

    async def give_back(self, kept: ReadConnection) -> None:
        """Keep `kept` for the next read, or close it (see the module docstring)."""
        pile = kept.pile
        try:
            if kept.connection.is_closed():
                lost, pile.idle = [kept, *pile.idle], []
                for read_connection in lost:
                    read_connection.connection.terminate()
            elif kept.busy:
                kept.connection.terminate()
            elif self._closed or time.monotonic() - kept.opened_at >= self._recycle_s:
                await kept.connection.close()
            else:
                pile.idle.append(kept)
        finally:
            pile.free.release()

    async def close(self) -> None:
        """Close the running loop's idle connections; those in use close when
        given back."""
        self._closed = True
        pile = self._pile()
        idle, pile.idle = pile.idle, []
        for kept in idle:
            await kept.connection.close()
