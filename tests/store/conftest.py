"""Direct access to the session database, beside the API the tests also drive."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from database_views import View
from edm.settings import Settings
from edm.store.database import Database
from scratch_databases import new_postgresql_database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The login role's view: every tenant, as migrations and bulk loads see it."""
    database = Database(database_url, pool_size=1)
    yield database
    database.dispose()


@pytest.fixture
def app_db(database_url: str, settings: Settings) -> Iterator[Database]:
    """The server's view: on PostgreSQL the application role, under row-level security."""
    database = Database(database_url, pool_size=1, app_role=settings.db_app_role)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_scratch(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    """Makes a SQLite file database, `<tmp>/w.db` (write lock `w.db-lock`), with the table `ddl`."""
    made: list[Database] = []

    def make(ddl: str) -> Database:
        database = Database(f"sqlite:///{tmp_path / 'w.db'}")
        made.append(database)
        with database.write() as conn:
            conn.exec_driver_sql(ddl)
        return database

    yield make
    for database in made:
        database.dispose()


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The session database's URL, for tests of what only a PostgreSQL server does."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server's behaviour")
    return database_url


@pytest.fixture
def empty_postgresql_url(postgresql_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the session's server, dropped afterwards."""
    with new_postgresql_database(postgresql_url, "edm_test_empty") as url:
        yield url


ServerScenario = Callable[[Database], Awaitable[Any]]


@pytest.fixture
def server_db(database_url: str, settings: Settings) -> Callable[..., Any]:
    """Runs an async scenario on a database set up as the server's (asyncio
    connections, the application role), closed afterwards."""

    def run(scenario: ServerScenario, *, pool_size: int = 1) -> Any:
        async def main() -> Any:
            database = Database(
                database_url, pool_size=pool_size, app_role=settings.db_app_role, event_loop=True
            )
            try:
                return await scenario(database)
            finally:
                await database.aclose()

        return asyncio.run(main())

    return run


@pytest.fixture(params=["engine", "server"])
def view(request: pytest.FixtureRequest, postgresql_url: str, settings: Settings) -> Iterator[View]:
    """The application role's view, through a synchronous engine or as the server's."""
    if request.param == "engine":
        db = Database(postgresql_url, pool_size=2, app_role=settings.db_app_role)
        yield View(db, None)
        db.dispose()
        return
    with asyncio.Runner() as runner:
        db = Database(postgresql_url, pool_size=2, app_role=settings.db_app_role, event_loop=True)
        yield View(db, runner)
        runner.run(db.aclose())
