"""The server's PostgreSQL reads keep their connections between reads.

Kept checked out of the pool, they must never cost anything else a
connection: writes keep the whole `pool_size`, reads keep no more than
`pool_size`, a lost connection takes the idle ones with it, and closing
the database returns every one.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import Pool

from edm.settings import Settings
from edm.store.database import Database, normalize_url
from edm.store.read_connections import ReadConnections

POOL_SIZE = 2
BACKEND = select(func.pg_backend_pid().label("pid"))


async def _concurrent_reads(db: Database, count: int) -> list[int]:
    """The backends of `count` reads, all holding their connection at once."""
    all_started = asyncio.Barrier(count)

    async def read() -> int:
        async with db.reading("t") as reads:
            row = await reads.first(BACKEND, {})
            await all_started.wait()
            assert row is not None
            return int(row.pid)

    return list(await asyncio.gather(*(read() for _ in range(count))))


def test_reads_keep_at_most_pool_size_connections_and_reuse_them(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[list[int], int, list[int]]:
        burst = await _concurrent_reads(db, POOL_SIZE + 1)
        kept = db.engine.pool.checkedout()
        return burst, kept, await _concurrent_reads(db, POOL_SIZE)

    burst, kept, later = server_db(scenario, pool_size=POOL_SIZE)

    assert len(set(burst)) == POOL_SIZE + 1
    assert kept == POOL_SIZE  # the read beyond them gave its connection back
    assert set(later) <= set(burst)  # the next reads reuse the kept ones


def test_writes_keep_the_whole_pool_while_reads_keep_theirs(postgresql_url: str, server_db) -> None:
    async def scenario(db: Database) -> int:
        await _concurrent_reads(db, POOL_SIZE)  # both now kept, idle
        in_use: list[int] = []

        def write() -> None:
            with db.write("t") as conn:
                conn.execute(text("SELECT pg_sleep(0.3)"))
                in_use.append(db.engine.pool.checkedout())

        await asyncio.wait_for(asyncio.gather(*(db.run(write) for _ in range(POOL_SIZE))), 10)
        return max(in_use)

    assert server_db(scenario, pool_size=POOL_SIZE) == 2 * POOL_SIZE


def test_a_lost_connection_gives_back_the_idle_ones_and_the_next_read_reconnects(
    postgresql_url: str, server_db
) -> None:
    """A restarted server leaves every kept connection dead: one failed read,
    not one per kept connection."""
    admin = create_engine(normalize_url(postgresql_url), isolation_level="AUTOCOMMIT")

    async def scenario(db: Database) -> tuple[set[int], int]:
        kept = set(await _concurrent_reads(db, POOL_SIZE))
        with admin.connect() as conn:
            for pid in kept:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as failure:
            await _concurrent_reads(db, 1)
        assert failure.value.connection_invalidated
        (replacement,) = await _concurrent_reads(db, 1)
        return kept, replacement

    try:
        kept, replacement = server_db(scenario, pool_size=POOL_SIZE)
    finally:
        admin.dispose()

    assert replacement not in kept


def test_closing_the_database_returns_every_kept_connection(
    postgresql_url: str, settings: Settings
) -> None:
    async def scenario() -> Pool:
        db = Database(
            postgresql_url, pool_size=POOL_SIZE, app_role=settings.db_app_role, event_loop=True
        )
        await _concurrent_reads(db, POOL_SIZE)
        pool = db.engine.pool
        await db.aclose()
        return pool

    assert asyncio.run(scenario()).checkedout() == 0


def test_a_connection_kept_longer_than_the_pool_recycles_goes_back_to_it(
    postgresql_url: str,
) -> None:
    async def scenario() -> tuple[int, int]:
        engine = create_async_engine(normalize_url(postgresql_url), pool_size=1)
        kept = ReadConnections(engine.sync_engine.pool, size=1, recycle_s=0)
        try:
            pooled = await kept.take()
            held = engine.sync_engine.pool.checkedout()
            await kept.give_back(pooled, lost=False)
            return held, engine.sync_engine.pool.checkedout()
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == (1, 0)
