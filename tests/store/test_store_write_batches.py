"""SQLite writes that wait together commit together, each still all-or-nothing.

Another process's writer is played by a second `SQLiteWriteLock` on the
same lock file: `flock` locks belong to an open file, so it excludes this
database's writers as another process's would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, exc

from edm.helpdesk.tickets import TicketService
from edm.identity import Principal, Role
from edm.store.database import Database, SQLiteWriteLock
from edm.store.migrate import upgrade

WRITES = 20


@pytest.fixture
def sqlite_db(sqlite_scratch: Callable[[str], Database]) -> Database:
    return sqlite_scratch("CREATE TABLE writes (n INTEGER PRIMARY KEY)")


@pytest.fixture
def commits(sqlite_db: Database) -> list[int]:
    committed: list[int] = []
    event.listen(sqlite_db.engine, "commit", lambda _conn: committed.append(1))
    return committed


def _insert(db: Database, n: int, *, then_fail: bool = False) -> int:
    with db.write() as conn:
        conn.exec_driver_sql("INSERT INTO writes VALUES (?)", (n,))
        if then_fail:
            raise ValueError(f"write {n} failed after its insert")
    return n


def _rows(db: Database) -> list[int]:
    with db.read() as conn:
        return [n for (n,) in conn.exec_driver_sql("SELECT n FROM writes ORDER BY n")]


def _while_another_process_writes(
    db: Database, tmp_path: Path, writes: list[Callable[[], Any]]
) -> list[Any]:
    """Start `writes` while the lock is held elsewhere, release it: each one's outcome."""
    other = SQLiteWriteLock(str(tmp_path / "w.db-lock"))
    assert other.acquire(blocking=False)

    async def main() -> list[Any]:
        pending = [asyncio.ensure_future(db.run(write)) for write in writes]
        await asyncio.sleep(0.1)  # every write is queued behind the other writer
        other.release()
        return await asyncio.gather(*pending, return_exceptions=True)

    return asyncio.run(main())


def test_writes_waiting_together_commit_in_one_transaction(
    sqlite_db: Database, tmp_path: Path, commits: list[int]
) -> None:
    writes = [partial(_insert, sqlite_db, n) for n in range(WRITES)]

    outcomes = _while_another_process_writes(sqlite_db, tmp_path, writes)

    assert len(commits) == 1
    assert outcomes == list(range(WRITES))
    assert _rows(sqlite_db) == list(range(WRITES))


def test_a_failing_write_rolls_back_alone_and_raises_to_its_caller_only(
    sqlite_db: Database, tmp_path: Path, commits: list[int]
) -> None:
    writes = [partial(_insert, sqlite_db, n, then_fail=n == 1) for n in range(3)]

    first, failed, third = _while_another_process_writes(sqlite_db, tmp_path, writes)

    assert len(commits) == 1
    assert (first, third) == (0, 2)
    assert isinstance(failed, ValueError) and str(failed) == "write 1 failed after its insert"
    assert _rows(sqlite_db) == [0, 2]


def test_a_write_failing_in_the_database_rolls_back_alone(
    sqlite_db: Database, tmp_path: Path, commits: list[int]
) -> None:
    """The savepoints are the driver's: SQLAlchemy's transaction survives the
    error it raised, and the batch commits the other writes."""
    writes = [partial(_insert, sqlite_db, n) for n in (0, 0, 2)]

    first, failed, third = _while_another_process_writes(sqlite_db, tmp_path, writes)

    assert len(commits) == 1
    assert (first, third) == (0, 2)
    assert isinstance(failed, exc.IntegrityError)
    assert _rows(sqlite_db) == [0, 2]


def test_a_failed_commit_fails_every_write_of_the_batch_and_keeps_none(
    sqlite_db: Database, tmp_path: Path
) -> None:
    def fail_commit(_conn: Any) -> None:
        raise OSError("disk full")

    event.listen(sqlite_db.engine, "commit", fail_commit)
    writes = [partial(_insert, sqlite_db, n) for n in range(3)]

    outcomes = _while_another_process_writes(sqlite_db, tmp_path, writes)

    assert [type(outcome) for outcome in outcomes] == [OSError] * 3
    event.remove(sqlite_db.engine, "commit", fail_commit)
    assert _rows(sqlite_db) == []


def test_a_write_is_answered_only_after_its_commit(sqlite_db: Database, commits: list[int]) -> None:
    async def main() -> list[int]:
        await sqlite_db.run(partial(_insert, sqlite_db, 7))
        return list(commits)

    assert asyncio.run(main()) == [1]


def test_a_ticket_creation_makes_its_values_without_the_write_lock(tmp_path: Path) -> None:
    """Only a create's write waits for the lock: its id and stamps are made
    before, and the clock it stamps is the one read then."""
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    upgrade(url)
    db = Database(url)
    made_at, written_at = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC)
    clock = iter([made_at, written_at])
    service = TicketService(db, clock=lambda: next(clock))
    agent = Principal("agent-1", "tenant-1", None, frozenset({Role.AGENT}))
    other = SQLiteWriteLock(f"{tmp_path / 'tickets.db'}-lock")
    assert other.acquire(blocking=False)
    try:
        with ThreadPoolExecutor(1) as thread:  # a creation that took the lock would time out
            write = thread.submit(service.creation, agent, {"title": "Made while locked"})
            creation = write.result(timeout=5)

        async def main() -> tuple[bool, Any]:
            pending = asyncio.ensure_future(db.run(creation))
            await asyncio.sleep(0.1)
            waited = not pending.done()
            other.release()
            return waited, await pending

        waited, record = asyncio.run(main())
    finally:
        db.dispose()
    assert waited, "the write waits for the other process's lock"
    assert (record.number, record.created_at, record.title) == (
        "TKT-0001",
        made_at,
        "Made while locked",
    )
