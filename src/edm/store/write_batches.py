"""SQLite writes of one server process committed together.

A SQLite database has one writer at a time, and what a write costs beyond
its statements is paid per transaction: taking the write lock from the
other server process, re-reading the pages that process changed (SQLite
drops its page cache when another connection has committed) and writing
every changed page to the WAL at commit. Under load that was about half
of the CPU a create or an update cost.

So the writes a server process is asked for while it waits for the lock,
or while its previous batch runs, are run together in one transaction,
each in a savepoint of its own: a write that fails rolls back to its
savepoint and raises to its own caller only, the others commit together,
and no caller hears back before the commit that holds its write. If the
commit fails, every write of the batch fails and none is kept.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from sqlalchemy import Connection, Engine

if TYPE_CHECKING:  # the database module builds the batches with its lock
    from edm.store.database import SQLiteWriteLock

MAX_BATCH = 64
_SAVEPOINT = "edm_write"


@dataclass(slots=True)
class _Write:
    work: Callable[[], Any]
    future: asyncio.Future[Any]


@dataclass(frozen=True, slots=True)
class _Result:
    value: Any


_Outcome = _Result | Exception


class WriteBatches:
    """Runs store work that writes, batched per transaction (see the module docstring).

    `connection()` is the batch's connection on the thread running it:
    `Database.write` hands it to the work instead of beginning a
    transaction of its own.
    """

    def __init__(self, engine: Engine, lock: SQLiteWriteLock) -> None:
        self._engine = engine
        self._lock = lock
        self._queue: list[_Write] = []
        self._drainer: asyncio.Task[None] | None = None
        self._running = threading.local()

    def connection(self) -> Connection | None:
        connection: Connection | None = getattr(self._running, "connection", None)
        return connection

    async def run(self, work: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        write = _Write(work, loop.create_future())
        self._queue.append(write)
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await write.future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    if self._lock.acquire(blocking=False):
                        try:
                            outcomes = self._run(batch)
                        finally:
                            self._lock.release()
                    else:
                        # Waiting for the other process is a worker thread's job.
                        outcomes = await to_thread.run_sync(self._run_when_locked, batch)
                except BaseException:
                    # Not a write's failure (those are outcomes) but this task's end.
                    for write in [*batch, *self._queue]:
                        write.future.cancel()
                    self._queue = []
                    raise
                _settle(batch, outcomes)
        finally:
            self._drainer = None

    def _run_when_locked(self, batch: list[_Write]) -> list[_Outcome]:
        with self._lock:
            return self._run(batch)

    def _run(self, batch: list[_Write]) -> list[_Outcome]:
        """Each write's result, or the exception it raised (every one's, if the commit failed)."""
        outcomes: list[_Outcome] = []
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(sqlite_immediate=True)
                with conn.begin():
                    self._running.connection = conn
                    # Savepoints on the driver, as the writes' own statements run
                    # (`edm.store.writes`): SQLAlchemy's took two of its
                    # executions per write, under the lock the other process waits on.
                    driver = conn.connection.driver_connection
                    assert isinstance(driver, sqlite3.Connection)
                    for write in batch:
                        driver.execute(f"SAVEPOINT {_SAVEPOINT}")
                        try:
                            outcomes.append(_Result(write.work()))
                        except Exception as exc:
                            driver.execute(f"ROLLBACK TO {_SAVEPOINT}")
                            outcomes.append(exc)
                        driver.execute(f"RELEASE {_SAVEPOINT}")
        except Exception as exc:
            return [exc] * len(batch)
        finally:
            self._running.connection = None
        return outcomes


def _settle(batch: list[_Write], outcomes: list[_Outcome]) -> None:
    for write, outcome in zip(batch, outcomes, strict=True):
        if write.future.done():  # its caller went away
            continue
        if isinstance(outcome, _Result):
            write.future.set_result(outcome.value)
        else:
            write.future.set_exception(outcome)
