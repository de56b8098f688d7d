"""A PostgreSQL pool keeps the connections it may open, and opens no more."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest
from sqlalchemy import text

from edm.store.database import Database

POOL_SIZE = 2


def test_a_request_beyond_the_pool_waits_for_a_connection_instead_of_opening_one(
    database_url: str,
) -> None:
    """Connections opened beyond the pool were closed again on return: under
    load every overflow was a new PostgreSQL backend, and a latency spike."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections are files, not server processes")
    db = Database(database_url, pool_size=POOL_SIZE)
    done = threading.Event()

    def read() -> None:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
        done.set()

    try:
        with ExitStack() as held:
            for _ in range(POOL_SIZE):
                held.enter_context(db.read())
            waiting = threading.Thread(target=read)
            waiting.start()
            assert not done.wait(0.5)  # every connection is in use: it waits
        assert done.wait(5)  # and reads as soon as one comes back
        waiting.join()
        assert db.engine.pool.checkedin() == POOL_SIZE  # all kept, none closed
    finally:
        db.dispose()
