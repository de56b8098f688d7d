"""Throwaway PostgreSQL databases on the test server, for tests that need one of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from edm.store.database import normalize_url


@contextmanager
def new_postgresql_database(server_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database named `<prefix>_<random>` on `server_url`'s
    server, dropped (connections and all) when the block ends."""
    name = f"{prefix}_{uuid4().hex[:12]}"
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
