"""The server's PostgreSQL reads (and its writes outside a transaction)
keep asyncpg connections of their own.

They must never cost anything else a connection (write transactions keep
the whole pool), never open more than `pool_size`, never hand a read a
connection that is dead or still busy with a cancelled read's statement,
and close every one when the database closes.
"""

from __future__ import annotations

import asyncio
import gc
import time

import pytest
from sqlalchemy import Integer, bindparam, cast, create_engine, func, literal, select, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from edm.settings import Settings
from edm.store.asyncpg_connections import AsyncpgConnections
from edm.store.database import Database, normalize_url

POOL_SIZE = 2
BACKEND = select(func.pg_backend_pid().label("pid"))


async def _backend(db: Database) -> int:
    async with db.reading("t") as reads:
        row = await reads.first(BACKEND, {})
        assert row is not None
        return int(row.pid)


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


def _live_backends(url: str, pids: set[int]) -> set[int]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT pid FROM pg_stat_activity"))
            return pids & {row.pid for row in rows}
    finally:
        engine.dispose()


def _terminate(url: str, pids: set[int]) -> None:
    """End `pids`' backends and wait until they are gone."""
    engine = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        engine.dispose()
    deadline = time.monotonic() + 10
    while _live_backends(url, pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_read_beyond_pool_size_waits_for_a_kept_connection(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[set[int], bool, int, int]:
        holding, release = asyncio.Barrier(POOL_SIZE + 1), asyncio.Event()

        async def holding_read() -> int:
            async with db.reading("t") as reads:
                row = await reads.first(BACKEND, {})
                await holding.wait()
                await release.wait()
                assert row is not None
                return int(row.pid)

        holders = [asyncio.create_task(holding_read()) for _ in range(POOL_SIZE)]
        await holding.wait()
        extra = asyncio.create_task(_backend(db))
        await asyncio.sleep(0.3)
        waited = not extra.done()
        writes_pool_in_use = db.engine.pool.checkedout()
        release.set()
        return set(await asyncio.gather(*holders)), waited, await extra, writes_pool_in_use

    held, waited, extra, writes_pool_in_use = server_db(scenario, pool_size=POOL_SIZE)

    assert len(held) == POOL_SIZE
    assert waited
    assert extra in held  # it took one of the kept connections once free
    assert writes_pool_in_use == 0  # reads take nothing from the writes' pool


def test_a_read_that_finds_no_connection_in_time_fails_as_a_pool_timeout(
    postgresql_url: str,
) -> None:
    async def scenario() -> None:
        url = normalize_url(postgresql_url)
        kept = AsyncpgConnections(url, size=1, recycle_s=60, timeout_s=0.2, role=None)
        held = await kept.take()
        try:
            with pytest.raises(PoolTimeout):  # answered 503 by the server, as for writes
                await kept.take()
        finally:
            await kept.give_back(held)
            await kept.close()

    asyncio.run(scenario())


def test_kept_connections_found_dead_are_replaced_without_a_failed_read(
    postgresql_url: str, server_db
) -> None:
    """A restarted server leaves every kept connection dead; reads open new ones."""

    async def scenario(db: Database) -> tuple[set[int], int]:
        kept = set(await _concurrent_reads(db, POOL_SIZE))
        await asyncio.to_thread(_terminate, postgresql_url, kept)
        await asyncio.sleep(0.1)  # the event loop reads the closed sockets' end
        return kept, await _backend(db)

    kept, replacement = server_db(scenario, pool_size=POOL_SIZE)

    assert replacement not in kept


def test_a_read_whose_connection_dies_fails_as_unavailable_and_the_next_reconnects(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[OperationalError, int, int]:
        pid, sleeping = await _sleeping_read(db, 5)
        await asyncio.to_thread(_terminate, postgresql_url, {pid})
        with pytest.raises(OperationalError) as failure:
            await sleeping
        return failure.value, pid, await _backend(db)

    failure, lost, replacement = server_db(scenario)

    assert failure.connection_invalidated  # the server answers 503, retry shortly
    assert replacement != lost


async def _sleeping_read(db: Database, seconds: float) -> tuple[int, asyncio.Task[None]]:
    """A read sleeping `seconds` in its statement, under way, and its backend
    (the database's one connection, `pool_size` 1)."""

    async def sleep() -> None:
        async with db.reading("t") as reads:
            await reads.first(select(func.pg_sleep(seconds)), {})

    pid = await _backend(db)
    sleeping = asyncio.create_task(sleep())
    await asyncio.sleep(0.3)
    return pid, sleeping


def test_a_cancelled_read_cancels_its_statement_and_its_connection_is_not_reused(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[int, int, float]:
        before, sleeping = await _sleeping_read(db, 30)
        sleeping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sleeping
        cancelled_at = time.monotonic()
        # The one connection allowed is still closing: this read waits for it.
        after = await _backend(db)
        return before, after, time.monotonic() - cancelled_at

    before, after, waited = server_db(scenario, pool_size=1)

    assert after != before
    assert waited < 10  # the statement was cancelled, not left to sleep its 30 s
    assert not _live_backends(postgresql_url, {before})


def test_a_value_asyncpg_refuses_is_a_data_error_and_keeps_the_connection(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[int, int]:
        before = await _backend(db)
        wrong_type = select(literal(1, Integer) == bindparam("n", type_=Integer))
        with pytest.raises(DataError):  # a bug of the caller's: a 500, not a 503
            async with db.reading("t") as reads:
                await reads.first(wrong_type, {"n": "not a number"})
        return before, await _backend(db)

    before, after = server_db(scenario)

    assert after == before


def test_a_read_that_cannot_connect_fails_as_unavailable_and_frees_its_place(
    postgresql_url: str,
) -> None:
    nowhere = normalize_url(postgresql_url).set(host="127.0.0.1", port=1)

    async def scenario() -> list[OperationalError]:
        kept = AsyncpgConnections(nowhere, size=1, recycle_s=60, timeout_s=0.5, role=None)
        failures = []
        for _ in range(2):  # the second would time out if the first kept its place
            with pytest.raises(OperationalError) as failure:
                await kept.take()
            failures.append(failure.value)
        return failures

    failures = asyncio.run(scenario())

    assert all(failure.connection_invalidated for failure in failures)


def test_the_urls_connect_timeout_is_taken_and_libpq_only_options_refused(
    postgresql_url: str, settings: Settings
) -> None:
    url = normalize_url(postgresql_url)
    with_timeout = url.update_query_dict({"connect_timeout": "5"})
    db = Database(
        with_timeout.render_as_string(hide_password=False),
        app_role=settings.db_app_role,
        event_loop=True,
    )

    async def read() -> int:
        try:
            return await _backend(db)
        finally:
            await db.aclose()

    assert asyncio.run(read()) > 0
    with pytest.raises(ValueError, match="keepalives"):
        AsyncpgConnections(
            url.update_query_dict({"keepalives": "1"}),
            size=1,
            recycle_s=60,
            timeout_s=1,
            role=None,
        )


def test_an_error_of_postgresql_keeps_the_connection_and_its_class(
    postgresql_url: str, server_db
) -> None:
    async def scenario(db: Database) -> tuple[int, int]:
        before = await _backend(db)
        with pytest.raises(DataError):  # an invalid integer, as psycopg classes it
            async with db.reading("t") as reads:
                await reads.first(select(cast(literal("x"), Integer)), {})
        return before, await _backend(db)

    before, after = server_db(scenario)

    assert after == before


def test_closing_the_database_closes_every_kept_connection(postgresql_url: str, server_db) -> None:
    async def scenario(db: Database) -> set[int]:
        return set(await _concurrent_reads(db, POOL_SIZE))

    kept = server_db(scenario, pool_size=POOL_SIZE)  # closes the database

    deadline = time.monotonic() + 5
    while _live_backends(postgresql_url, kept) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _live_backends(postgresql_url, kept)


def test_a_database_read_from_one_event_loop_after_another_reads_on_each(
    postgresql_url: str, settings: Settings
) -> None:
    """asyncpg's connections belong to their loop; tests and scripts run several."""
    db = Database(postgresql_url, pool_size=1, app_role=settings.db_app_role, event_loop=True)
    try:
        first, second = asyncio.run(_backend(db)), asyncio.run(_backend(db))
    finally:
        asyncio.run(db.aclose())

    assert first != second  # the first loop's connection stayed with it
    gc.collect()  # the first loop's pile was let go: its socket closes with it
    deadline = time.monotonic() + 5
    while _live_backends(postgresql_url, {first}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _live_backends(postgresql_url, {first})


def test_a_connection_older_than_the_recycle_age_is_closed_before_reuse(
    postgresql_url: str,
) -> None:
    async def scenario() -> tuple[bool, bool]:
        url = normalize_url(postgresql_url)
        kept = AsyncpgConnections(url, size=1, recycle_s=0, timeout_s=1, role=None)
        first = await kept.take()
        await kept.give_back(first)
        second = await kept.take()
        await kept.give_back(second)
        await kept.close()
        return first.connection.is_closed(), second is first

    assert asyncio.run(scenario()) == (True, False)
