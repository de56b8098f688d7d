"""PostgreSQL connections the server's reads keep between reads.

Checking a connection out of SQLAlchemy's asyncio pool and back in takes
two greenlet spawns: about 60 us of CPU, a fifth of what a `GET` costs a
worker (docs/performance.md). A read instead takes one of the connections
kept here, which is a list pop, and puts it back afterwards.

They are still the pool's connections, checked out and kept: the pool is
sized for them on top of what writes use (`Database`), so writes never wait
for a connection a read keeps idle. At most `size` are kept, opened only as
concurrent reads need them. A kept connection goes back to the pool when
it is lost (with every idle one: a lost connection usually means the
server went away or restarted), when it was kept longer than the pool
recycles its own, and after `close`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy.pool import Pool, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

_KEPT_SINCE = "edm_kept_since"  # key in a kept connection's `info`


def _release(connections: Sequence[PoolProxiedConnection], *, lost: bool) -> None:
    """Return `connections` to their pool; lost ones are discarded, not reset."""
    for pooled in connections:
        if lost:
            pooled.invalidate()
        pooled.close()


class ReadConnections:
    """Up to `size` connections of `pool`, kept checked out for reads."""

    def __init__(self, pool: Pool, size: int, recycle_s: float) -> None:
        self._pool = pool
        self._size = size
        self._recycle_s = recycle_s
        self._idle: list[PoolProxiedConnection] = []
        self._kept = 0
        self._closed = False

    async def take(self) -> PoolProxiedConnection:
        """An idle kept connection, or one from the pool (kept if there is room)."""
        if self._idle:
            return self._idle.pop()
        pooled = await greenlet_spawn(self._pool.connect)
        if self._kept < self._size and not self._closed:
            self._kept += 1
            pooled.info[_KEPT_SINCE] = time.monotonic()
        return pooled

    async def give_back(self, pooled: PoolProxiedConnection, *, lost: bool) -> None:
        """Keep `pooled` for the next read, or return it to the pool."""
        kept_since = pooled.info.get(_KEPT_SINCE)
        fresh = kept_since is not None and time.monotonic() - kept_since < self._recycle_s
        if fresh and not lost and not self._closed:
            self._idle.append(pooled)
            return
        released = [pooled]
        if lost:
            released += self._idle
            self._idle.clear()
        for connection in released:
            if connection.info.pop(_KEPT_SINCE, None) is not None:
                self._kept -= 1
        await greenlet_spawn(_release, released, lost=lost)

    async def close(self) -> None:
        """Return the idle connections to the pool; those in use follow when done."""
        self._closed = True
        idle, self._idle = self._idle, []
        self._kept -= len(idle)
        for pooled in idle:
            del pooled.info[_KEPT_SINCE]
        await greenlet_spawn(_release, idle, lost=False)
