"""A write's own statements run on the driver's connection
(`edm.store.driver_writes`: `sqlite3`'s, psycopg's) and behave as they
would through SQLAlchemy: the same values, SQLAlchemy's errors, the
write's budget kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Integer, cast, exc, insert, literal, select

from edm.helpdesk.tickets import TicketService
from edm.identity import Principal, Role
from edm.settings import Settings
from edm.store import driver_writes
from edm.store.database import Database
from edm.store.reads import DriverRow
from edm.store.schema import counters

NOT_A_NUMBER = select(cast(literal("seven"), Integer))


@pytest.fixture
def principal() -> Principal:
    return Principal("agent-1", f"tenant-{uuid4().hex[:10]}", None, frozenset({Role.AGENT}))


@pytest.fixture
def server_role_db(postgresql_url: str, settings: Settings) -> Iterator[Database]:
    database = Database(postgresql_url, pool_size=1, app_role=settings.db_app_role)
    yield database
    database.dispose()


def test_a_record_written_and_read_on_the_driver_holds_what_sqlalchemy_reads(
    app_db: Database, principal: Principal
) -> None:
    tickets = TicketService(app_db)
    created = tickets.create(
        principal, {"title": "Printer jam", "tags": ["vip", "remote"], "priority": "high"}
    )

    with app_db.write(principal.tenant_id) as conn:
        on_driver = tickets.store.find(conn, principal, created.number)
        statement, params = tickets.store.find_query(conn.dialect, principal, created.number)
        through_sqlalchemy = dict(conn.execute(statement, params).one()._mapping)

    assert isinstance(created, DriverRow) and isinstance(on_driver, DriverRow)
    assert created._mapping == on_driver._mapping == through_sqlalchemy
    assert on_driver.created_at.tzinfo is not None  # timestamps converted as SQLAlchemy does
    assert on_driver.tags == ["vip", "remote"]
    assert created.number.startswith("TKT-")  # SQLite: from the counter, on the driver too


def test_a_failing_write_on_the_driver_raises_sqlalchemys_error(
    app_db: Database, principal: Principal
) -> None:
    nameless = insert(counters).values(tenant_id=principal.tenant_id, name=None, value=1)

    with pytest.raises(exc.IntegrityError), app_db.write(principal.tenant_id) as conn:
        driver_writes.first(conn, nameless.returning(counters.c.value), {})


def _fail_then_read(db: Database, tenant_id: str) -> Any:
    """A driver error inside a write, then a statement on the same connection."""
    with db.write(tenant_id, transaction=False) as conn:
        with pytest.raises(exc.DataError, match="invalid input syntax for type integer"):
            driver_writes.first(conn, NOT_A_NUMBER, {})
        row = driver_writes.first(conn, select(literal(7).label("seven")), {})
    assert row is not None
    return row.seven


def test_a_driver_error_reaches_the_caller_as_sqlalchemys(
    server_role_db: Database, principal: Principal
) -> None:
    assert _fail_then_read(server_role_db, principal.tenant_id) == 7


def test_a_driver_error_reaches_the_server_as_sqlalchemys(
    postgresql_url: str, server_db: Callable[..., Any], principal: Principal
) -> None:
    """The server's asyncio connections, awaited from the write's greenlet."""

    async def scenario(db: Database) -> Any:
        return await db.run(lambda: _fail_then_read(db, principal.tenant_id))

    assert server_db(scenario) == 7


def test_a_write_outside_a_transaction_writes_its_record_once(
    server_role_db: Database, principal: Principal
) -> None:
    one = select(literal(1))
    with server_role_db.write(principal.tenant_id, transaction=False) as conn:
        driver_writes.first(conn, one, {}, record_write=True)
        with pytest.raises(RuntimeError, match="writes more than its record"):
            driver_writes.first(conn, one, {}, record_write=True)
