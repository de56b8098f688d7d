"""How SQLite connections are shared: the write lock and the kept reader.

Writers queue on an `flock` on `<database>-lock`, which the kernel hands
over across processes; a write that finds it free runs on the event loop,
one that finds it held waits in a worker thread while the loop goes on
serving. Reads reuse one kept connection whenever no other read holds it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from edm.store.database import Database, SQLiteWriteLock

# Another process's writer: takes the lock, says so, holds it for a while.
HOLDER = """
import fcntl, sys, time
with open(sys.argv[1], "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""
HOLD_S = 0.4


@pytest.fixture
def sqlite_db(sqlite_scratch: Callable[[str], Database]) -> Database:
    return sqlite_scratch("CREATE TABLE writes (at REAL, thread INTEGER)")


def _record_write(db: Database) -> tuple[float, int]:
    with db.write() as conn:
        now, thread = time.monotonic(), threading.get_ident()
        conn.exec_driver_sql("INSERT INTO writes VALUES (?, ?)", (now, thread))
    return now, thread


def test_a_free_lock_lets_the_write_run_on_the_event_loop(sqlite_db: Database) -> None:
    async def write() -> tuple[int, int]:
        _at, thread = await sqlite_db.run(lambda: _record_write(sqlite_db))
        return thread, threading.get_ident()

    writer_thread, loop_thread = asyncio.run(write())

    assert writer_thread == loop_thread


def test_a_write_waits_for_another_processs_writer_without_blocking_the_loop(
    sqlite_db: Database, tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "w.db-lock"), str(HOLD_S)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    held_at = time.monotonic()

    async def write_while_ticking() -> tuple[float, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        ticker = asyncio.create_task(tick())
        written_at, _thread = await sqlite_db.run(lambda: _record_write(sqlite_db))
        ticker.cancel()
        return written_at, ticks

    written_at, ticks = asyncio.run(write_while_ticking())
    holder.wait(timeout=10)

    assert written_at - held_at >= HOLD_S * 0.9  # it waited for the other process
    assert ticks >= 5  # and the event loop kept running meanwhile
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM writes").scalar_one() == 1


def test_the_lock_is_reentrant_for_its_holder_and_exclusive_for_other_threads(
    tmp_path: Path,
) -> None:
    lock = SQLiteWriteLock(str(tmp_path / "x.db-lock"))
    assert lock.acquire(blocking=False)
    assert lock.acquire(blocking=False)
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(lock.acquire(blocking=False)))
    thread.start()
    thread.join()
    lock.release()
    lock.release()

    assert other == [False]
    assert lock.acquire(blocking=False)  # free again once released as often as taken
    lock.release()


def test_the_kept_reader_sees_every_committed_write(sqlite_db: Database) -> None:
    counts = []
    for _ in range(3):
        _record_write(sqlite_db)
        with sqlite_db.read() as conn:
            counts.append(conn.exec_driver_sql("SELECT count(*) FROM writes").scalar_one())

    assert counts == [1, 2, 3]


def test_a_read_inside_a_read_gets_a_connection_of_its_own(sqlite_db: Database) -> None:
    _record_write(sqlite_db)
    with sqlite_db.read() as outer, sqlite_db.read() as inner:
        assert outer is not inner
        assert inner.exec_driver_sql("SELECT count(*) FROM writes").scalar_one() == 1
        assert outer.exec_driver_sql("SELECT count(*) FROM writes").scalar_one() == 1


def test_dispose_closes_the_kept_reader_and_reads_reconnect(sqlite_db: Database) -> None:
    with sqlite_db.read() as conn:
        kept = conn
    sqlite_db.dispose()

    assert kept.closed
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM writes").scalar_one() == 0
