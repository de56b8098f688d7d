"""Direct access to the session database, beside the API the tests also drive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edm.settings import Settings
from edm.store.database import Database


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
